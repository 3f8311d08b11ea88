/* demo stub: the real script turns blockquote.bluesky-embed into an iframe */
