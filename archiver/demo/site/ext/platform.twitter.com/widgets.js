/* demo stub: the real widgets.js renders blockquote.twitter-tweet */
