"""One self-contained HTML page: a headline, charts (inline SVG) and one or more tables of rows.

Everything is inline (CSS, SVG, a small script); the page fetches nothing, reads well on a phone
(the charts scale, a wide table scrolls sideways inside its box) and prints (no controls, no
shadows, rows unbroken). Every text from the data is escaped by jinja2's autoescape: a title holding
``<script>`` shows as text. Without JavaScript the page is whole (the tables and the charts are
static); with it, every table sorts by any column (click its heading), and a table with ``filter``
filters (a text box, and a choice of ``filter_column``'s values when it has one).

The batch report (``ohctl.report.batch``) and the fleet statistics (``ohctl.render_stats_html``)
are both drawn by ``render``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import InvalidArgumentError
from .._require import require


@dataclass(frozen=True)
class Chart:
    """A chart of the page: ``svg`` from ``ohctl.report.charts``; ``name`` is its element id."""

    name: str
    title: str
    svg: str
    note: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column; ``numeric`` columns sort as numbers and align right."""

    name: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell: ``text`` shown, ``sort`` its sort key (default the text), ``href`` a link,
    ``links`` several (text, href) links instead of ``text``, ``css`` a class of the cell."""

    text: str = ""
    sort: str | float | None = None
    href: str | None = None
    links: Sequence[tuple[str, str | None]] = ()
    css: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Fact:
    """One item of the headline: ``label`` above ``value`` (``detail`` below it, smaller), ``css`` a
    class (an outcome's name), ``name`` the value's ``data-fact`` attribute (for scripts and tests)."""

    label: str
    value: str
    css: str | None = None
    detail: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Table:
    """A table of the page under its heading ``title``; ``name`` is its element id (and the prefix
    of its controls' ids: ``{name}-filter``, ``{name}-pick``, ``{name}-shown``). ``totals`` is a
    footer row (one cell per column). ``filter``: a text box that hides the rows without the text;
    ``filter_column``: a choice of that column's values (``filter_values``) besides. A table without
    rows shows ``empty`` instead."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Cell] = ()
    filter: bool = False
    filter_column: str | None = None
    filter_values: Sequence[str] = ()
    empty: str = "none"


@dataclass(frozen=True)
class Page:
    """A whole page: ``facts`` as its headline, then ``charts``, then ``tables`` in this order.
    The names of its charts and tables are element ids: each is used once."""

    title: str
    subtitle: str
    facts: Sequence[Fact]
    charts: Sequence[Chart]
    tables: Sequence[Table]
    refresh: int | None = None  # seconds: a live page reloads itself
    notice: str | None = None
    footer: str = ""


_STYLE = """
:root{--fg:#1d1d1f;--muted:#5f6368;--line:#e3e3e3;--bg:#fff;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:16px}
section{min-width:0}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
.sub{color:var(--muted);margin:0 0 1rem;overflow-wrap:anywhere}
.notice{background:#fff7e0;border:1px solid #f0d890;padding:.5rem .8rem;border-radius:6px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:1rem 0;padding:0}
.facts li{list-style:none;border:1px solid var(--line);border-radius:8px;padding:.5rem .7rem}
.facts .label{display:block;color:var(--muted);font-size:.8rem}
.facts .value{display:block;font-size:1.15rem;font-weight:600;overflow-wrap:anywhere}
.facts .detail{display:block;color:var(--muted);font-size:.75rem}
.facts li.finished{border-left:5px solid #009E73}.facts li.failed{border-left:5px solid #D55E00}
.facts li.error{border-left:5px solid #CC79A7}.facts li.needs_input{border-left:5px solid #E69F00}
.facts li.timed_out{border-left:5px solid #A6761D}.facts li.stalled{border-left:5px solid #8C564B}
.facts li.cancelled{border-left:5px solid #7F7F7F}.facts li.running,.facts li.starting{border-left:5px solid #0072B2}
.facts li.idle{border-left:5px solid #56B4E9}.facts li.paused{border-left:5px solid #882255}
.facts li.unknown{border-left:5px solid #999999}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:12px;
 align-items:start}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px;break-inside:avoid}
figure svg{display:block;width:100%;max-width:520px;height:auto;margin:0 auto}
figure h3{font-size:.95rem;margin:.1rem .2rem .3rem}
figcaption{color:var(--muted);font-size:.8rem;margin-top:4px}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:.4rem 0 .6rem}
.controls input,.controls select{font:inherit;padding:.3rem .5rem;border:1px solid #bbb;border-radius:6px}
.controls input{flex:1 1 220px}
.shown{color:var(--muted);font-size:.85rem}
.empty{color:var(--muted);font-style:italic}
.scroll{overflow-x:auto;max-width:100%;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0;white-space:nowrap}
th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.text{min-width:12rem;max-width:28rem;overflow-wrap:break-word}
td.key,td.when{white-space:nowrap}
td.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem;white-space:nowrap}
tfoot td{font-weight:600;background:#fafafa;border-top:2px solid var(--line)}
tfoot td.outcome{white-space:normal;min-width:10rem}
.outcome{white-space:nowrap;font-weight:600;width:1%}
.o-finished{color:#007a59}.o-failed{color:#b34700}.o-error{color:#a3457f}.o-needs_input{color:#9a6a00}
.o-timed_out{color:#7a6d00}.o-stalled{color:#8C564B}.o-cancelled{color:#666}.o-running,.o-starting{color:#0072B2}
.o-pending,.o-unknown{color:#777}.o-idle{color:#2a7fb0}.o-paused{color:#882255}
a{color:var(--accent)}
footer{color:var(--muted);font-size:.8rem;margin:1.5rem 0}
@media (max-width:600px){main{padding:10px}body{font-size:14px}.facts{grid-template-columns:repeat(2,1fr)}
 td.text{min-width:14rem}}
@media print{main{max-width:none;padding:0}.controls,.shown{display:none}figure{border:0}
 .charts{grid-template-columns:1fr 1fr}.scroll{overflow:visible;border:0}th{position:static}
 tr{break-inside:avoid}a{color:inherit;text-decoration:none}body{font-size:11px}}
"""

# For every table of the page: sorts by a column's data-v (numbers for numeric columns; blanks last),
# filters by text and by the choice of the filter column's values (when the table has them), and
# counts the rows shown. Nothing runs until the reader acts.
_SCRIPT = """
(function(){
function key(row,i,num){var c=row.cells[i],v=c.getAttribute('data-v');if(v===null)v=c.textContent;
 if(num){if(v===''||v==='-')return null;var n=parseFloat(v);return isNaN(n)?null:n;}return v.toLowerCase();}
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(table){
 var body=table.tBodies[0],id=table.id,rows=Array.prototype.slice.call(body.rows);
 var heads=table.tHead.rows[0].cells,col=table.getAttribute('data-filter-col');
 var text=document.getElementById(id+'-filter'),pick=document.getElementById(id+'-pick');
 var shown=document.getElementById(id+'-shown'),controls=document.getElementById(id+'-controls');
 if(controls)controls.hidden=false;
 Array.prototype.forEach.call(heads,function(th,i){var b=th.querySelector('button');if(!b)return;
  b.addEventListener('click',function(){var num=th.classList.contains('num');
   var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
   Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
   th.setAttribute('aria-sort',dir===1?'ascending':'descending');
   rows.sort(function(a,b){var x=key(a,i,num),y=key(b,i,num);
    if(x===y)return 0;if(x===null)return 1;if(y===null)return -1;return (x<y?-1:1)*dir;});
   var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);});body.appendChild(f);});});
 function apply(){var q=text?(text.value||'').toLowerCase():'',o=pick?pick.value:'',n=0;
  rows.forEach(function(r){var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&
   (!o||r.getAttribute('data-'+col)===o);r.hidden=!ok;if(ok)n++;});
  if(shown)shown.textContent=n===rows.length?'all '+n+' rows':n+' of '+rows.length+' rows';}
 if(text)text.addEventListener('input',apply);if(pick)pick.addEventListener('change',apply);
});
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{%- if page.refresh %}
<meta http-equiv="refresh" content="{{ page.refresh }}">
{%- endif %}
<title>{{ page.title }}</title>
<style>{% raw %}@STYLE@{% endraw %}</style>
</head>
<body>
<main>
<header>
<h1>{{ page.title }}</h1>
<p class="sub">{{ page.subtitle }}</p>
{%- if page.notice %}
<p class="notice" role="status">{{ page.notice }}</p>
{%- endif %}
<ul class="facts">
{%- for fact in page.facts %}
<li{% if fact.css %} class="{{ fact.css }}"{% endif %}>
<span class="label">{{ fact.label }}</span><span class="value"{% if fact.name %} data-fact="{{ fact.name }}"{% endif %}>
{{- fact.value }}</span>
{%- if fact.detail %}<span class="detail">{{ fact.detail }}</span>{% endif %}</li>
{%- endfor %}
</ul>
</header>
{%- if page.charts %}
<section aria-labelledby="charts-h">
<h2 id="charts-h">Charts</h2>
<div class="charts">
{%- for chart in page.charts %}
<figure id="{{ chart.name }}" data-chart="{{ chart.name }}" aria-labelledby="{{ chart.name }}-h">
<h3 id="{{ chart.name }}-h">{{ chart.title }}</h3>
{{ chart.svg | safe }}
{%- if chart.note %}
<figcaption>{{ chart.note }}</figcaption>
{%- endif %}
</figure>
{%- endfor %}
</div>
</section>
{%- endif %}
{%- for table in tables %}
<section aria-labelledby="{{ table.name }}-h">
<h2 id="{{ table.name }}-h">{{ table.title }}</h2>
{%- if not table.rows %}
<p class="empty" id="{{ table.name }}">{{ table.empty }}</p>
{%- else %}
{%- if table.filter %}
<div class="controls" id="{{ table.name }}-controls" hidden>
<input id="{{ table.name }}-filter" type="search" placeholder="Filter: any text in a row" aria-label="Filter the rows">
{%- if table.filter_column %}
<select id="{{ table.name }}-pick" aria-label="Only one {{ table.filter_column }}">
<option value="">every {{ table.filter_column }}</option>
{%- for value in table.filter_values %}
<option value="{{ value }}">{{ value }}</option>
{%- endfor %}
</select>
{%- endif %}
<span id="{{ table.name }}-shown" class="shown" aria-live="polite">all {{ table.rows | length }} rows</span>
</div>
{%- endif %}
<div class="scroll">
<table id="{{ table.name }}" class="sortable"
{%- if table.filter_column %} data-filter-col="{{ table.filter_column }}"{% endif %}>
<thead><tr>
{%- for column in table.columns %}
<th scope="col" data-col="{{ column.name }}"{% if column.numeric %} class="num"{% endif %}>
<button type="button">{{ column.label }}</button></th>
{%- endfor %}
</tr></thead>
<tbody>
{%- for row in table.rows %}
<tr{% if table.filter_column %} data-{{ table.filter_column }}="{{ row[table.filter_index].text }}"{% endif %}>
{%- for cell in row %}
{%- set column = table.columns[loop.index0] %}
<td class="{{ 'num' if column.numeric else column.name }}{% if cell.css %} {{ cell.css }}{% endif %}"
{%- if cell.sort is not none %} data-v="{{ cell.sort }}"{% endif %}
{%- if cell.title %} title="{{ cell.title }}"{% endif %}>
{%- if cell.links -%}
{%- for text, href in cell.links -%}{% if not loop.first %}, {% endif -%}
{%- if href %}<a href="{{ href }}">{{ text }}</a>{% else %}{{ text }}{% endif %}{%- endfor -%}
{%- elif cell.href -%}<a href="{{ cell.href }}">{{ cell.text }}</a>
{%- else -%}{{ cell.text }}{%- endif -%}
</td>
{%- endfor %}
</tr>
{%- endfor %}
</tbody>
{%- if table.totals %}
<tfoot><tr>
{%- for cell in table.totals %}
{%- set column = table.columns[loop.index0] %}
<td class="{{ 'num' if column.numeric else column.name }}" data-total="{{ column.name }}"
{%- if cell.sort is not none %} data-v="{{ cell.sort }}"{% endif %}>{{ cell.text }}</td>
{%- endfor %}
</tr></tfoot>
{%- endif %}
</table>
</div>
{%- endif %}
</section>
{%- endfor %}
<footer>{{ page.footer }}</footer>
</main>
<script>{% raw %}@SCRIPT@{% endraw %}</script>
</body>
</html>
"""


def _safe_href(href: str | None) -> str | None:
    """Links only to the web (http, https) or within the page: never ``javascript:``."""
    if href is None:
        return None
    lowered = href.strip().lower()
    return href if lowered.startswith(("http://", "https://", "#")) else None


@functools.cache
def _template() -> Any:
    jinja2 = require("jinja2", extra="cli", purpose="Writing an HTML report")
    environment = jinja2.Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
    # The style and the script are the module's own text, set in raw blocks (never data).
    return environment.from_string(_TEMPLATE.replace("@STYLE@", _STYLE).replace("@SCRIPT@", _SCRIPT))


@dataclass(frozen=True)
class _Shown:
    """A table as the template draws it: links made safe, the filter column's index found."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Cell]
    filter: bool
    filter_column: str | None
    filter_values: Sequence[str]
    empty: str
    filter_index: int


def _shown(table: Table) -> _Shown:
    names = [c.name for c in table.columns]
    column = table.filter_column if table.filter and table.filter_column in names else None
    rows = [
        [
            Cell(
                text=cell.text,
                sort=cell.sort,
                href=_safe_href(cell.href),
                links=[(text, _safe_href(href)) for text, href in cell.links],
                css=cell.css,
                title=cell.title,
            )
            for cell in row
        ]
        for row in table.rows
    ]
    return _Shown(
        name=table.name,
        title=table.title,
        columns=table.columns,
        rows=rows,
        totals=table.totals,
        filter=table.filter,
        filter_column=column,
        filter_values=table.filter_values if column else (),
        empty=table.empty,
        filter_index=names.index(column) if column else 0,
    )


def render(page: Page) -> str:
    """The page as one HTML document (autoescaped; the charts' SVG is inlined as is)."""
    names = [t.name for t in page.tables] + [c.name for c in page.charts]
    if len(names) != len(set(names)):
        raise InvalidArgumentError(
            f"the tables and charts of a page need distinct names (they are element ids): {names}"
        )
    return str(_template().render(page=page, tables=[_shown(t) for t in page.tables]))


__all__ = ["Cell", "Chart", "Column", "Fact", "Page", "Table", "render"]
