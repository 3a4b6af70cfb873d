"""One module per screen. Only the sign-in screen is imported at start-up; the others when first shown."""
