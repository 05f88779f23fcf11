"""Dashboard blueprints: every module here that defines ``bp`` is registered by :func:`bot.web.app.create_app`."""
