"""Birthday and holiday greetings for a workspace's contacts: an Orchard plugin."""
