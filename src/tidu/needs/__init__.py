"""Large enterprises publish technology and supply needs; SMEs respond; the owner selects and the loop closes in the platform."""
