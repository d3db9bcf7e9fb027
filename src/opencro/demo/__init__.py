"""The demo study OPC-301, loaded through the same services a user's actions go through."""
