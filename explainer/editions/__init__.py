"""Stage 6, editions: what `publish` (commands/publish.py) uses. Names and their order (names.py),
the date the data runs to (data_date.py), the edition line and its hook (edition_line.py), the
gh-pages branch with git (gh_pages.py), mike (deploy.py); and what publishing adds to an edition:
chart embeds and their oEmbed (embeds.py, embed_hook.py), the changes page (changes.py), the feed
(feed.py), gathered for the build by publishing.py."""
