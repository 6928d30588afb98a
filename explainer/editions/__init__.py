"""What publishing adds to an edition: chart embeds and their oEmbed, the changes page, the feed."""
