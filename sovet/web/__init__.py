"""The web application: pages for members, delegates, organizers and the public."""
