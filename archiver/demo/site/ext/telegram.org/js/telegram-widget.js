/* demo stub: the real script replaces itself with an iframe of t.me/<post>?embed=1 */
