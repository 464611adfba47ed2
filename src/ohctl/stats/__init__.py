"""Fleet statistics: what a server's conversations did over a period (``client.conversations.stats``).

``aggregate`` adds conversations up into a ``FleetStats`` (pure: no request, no clock of its own);
``html`` draws it as one self-contained page (``ohctl.render_stats_html``) with the report package
(``ohctl.report``), as the batch report is. The flow that reads the
server is ``ohctl._async.lib.stats``.
"""
