"""embed-archiver: archive articles with every post they embed, page they link and outlet they credit."""
__version__ = "0.1.0"
