"""Fleet statistics: what a server's conversations did over a period (``client.conversations.stats``).

``aggregate`` adds conversations up into a ``FleetStats`` (pure: no request, no clock of its own);
``html`` draws it as one self-contained page (``ohctl.render_stats_html``). The flow that reads the
server is ``ohctl._async.lib.stats``.
"""
