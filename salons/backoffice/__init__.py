"""The back office pages of salons (customer page, salon settings, branding); other apps add panels to them through
``salons.backoffice.panels`` (salons imports no other app)."""
