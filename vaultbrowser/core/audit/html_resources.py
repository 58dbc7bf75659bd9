"""The HTML report's Azure resources: every vault and storage account that discovery found,
by tenant and subscription, with what Resource Manager says about each (its settings, its
notes, how many finding items it has). Nothing when the audit discovered nothing."""

from __future__ import annotations

from vaultbrowser.core.audit.findings import open_to_internet, tls_below_1_2
from vaultbrowser.core.audit.html_cells import esc, html_table, pairs_cell
from vaultbrowser.core.audit.model import AuditReport, AzureResourceEntry

_UNKNOWN = '<span class="muted">unknown</span>'


def _fact(label: str, value: str | None, *, risky: bool) -> str:
    if value is None:
        return f"{esc(label)}: {_UNKNOWN}"
    css = "no" if risky else "yes"
    return f'{esc(label)}: <span class="{css}">{esc(value)}</span>'


def _on_off(value: bool | None, *, risky_when: bool | None) -> str | None:
    """"on"/"off"; None stays None, unless ``risky_when`` is None (then "not set")."""
    if value is None:
        return None if risky_when is not None else "not set"
    return "on" if value else "off"


def _network(entry: AzureResourceEntry) -> str:
    risky = open_to_internet(entry.public_network, entry.firewall_default)
    return "<br>".join((
        _fact("public access", entry.public_network, risky=risky),
        _fact("firewall default", entry.firewall_default, risky=risky)))


def _settings(entry: AzureResourceEntry) -> str:
    facts: list[str] = []
    if entry.is_vault:
        if entry.rbac is not None:
            facts.append(_fact("permissions", "Azure RBAC" if entry.rbac else "access policies",
                               risky=not entry.rbac))
        if entry.soft_delete is not None or entry.soft_delete_days is not None:
            days = f", {entry.soft_delete_days} days" if entry.soft_delete_days else ""
            facts.append(_fact("soft delete", ("off" if entry.soft_delete is False else "on")
                               + days, risky=entry.soft_delete is False))
        facts.append(_fact("purge protection", "on" if entry.purge_protection else (
            "off" if entry.purge_protection is False else "not set"),
            risky=entry.purge_protection is not True))
    elif entry.is_account:
        facts.append(_fact("shared-key access", "off" if entry.shared_key_access is False else (
            "on" if entry.shared_key_access else "not set (allowed)"),
            risky=entry.shared_key_access is not False))
        facts.append(_fact("public blob access",
                           _on_off(entry.public_blob_access, risky_when=True),
                           risky=entry.public_blob_access is True))
        facts.append(_fact("minimum TLS", entry.minimum_tls,
                           risky=tls_below_1_2(entry.minimum_tls)))
        if entry.hierarchical_namespace:
            facts.append("hierarchical namespace (Data Lake)")
    return '<span class="nowrap">' + "<br>".join(facts) + "</span>" if facts else _UNKNOWN


def _notes(entry: AzureResourceEntry) -> str:
    notes = [esc(note) for note in entry.notes]
    if not entry.audited:
        notes.append('<span class="no">not audited: no kind could open it</span>')
    return "<br>".join(notes) or '<span class="muted">—</span>'


def _row(entry: AzureResourceEntry, findings: int) -> tuple[str, ...]:
    where = esc(entry.location) or '<span class="muted">—</span>'
    endpoint = (f'<br><span class="muted">{esc(entry.endpoint)}</span>' if entry.endpoint
                else "")
    return (esc(entry.name) + endpoint, esc(entry.type_label), esc(entry.resource_group),
            where, _network(entry), _settings(entry), str(findings), _notes(entry),
            pairs_cell(entry.tags))


_HEADERS = ("Name", "Type", "Resource group", "Location", "Network", "Settings",
            "Finding items", "Notes", "Tags")


def render_resources(report: AuditReport) -> str:
    """The discovered resources, one card per tenant and a table per subscription."""
    if not report.resources:
        return ""
    findings = report.findings_by_resource()
    tenants: dict[tuple[str, str], dict[tuple[str, str], list[AzureResourceEntry]]] = {}
    for entry in report.resources:
        tenants.setdefault((entry.tenant, entry.tenant_id), {}).setdefault(
            (entry.subscription, entry.subscription_id), []).append(entry)
    out = ['<section class="inventory"><h2>Azure resources</h2><p class="desc">Every key '
           "vault and storage account that discovery found, by tenant and subscription, with "
           "what Azure Resource Manager says about it. Findings, errors and the inventory "
           "name each as “tenant / subscription / resource”.</p>"]
    for (tenant, tenant_id), subscriptions in tenants.items():
        count = sum(len(entries) for entries in subscriptions.values())
        out.append(f'<div class="card"><h3>Tenant {esc(tenant)} <span class="muted">· '
                   f"{esc(tenant_id)} · {count} resource{'s' if count != 1 else ''}</span></h3>")
        for (subscription, subscription_id), entries in subscriptions.items():
            out.append(f"<p><b>Subscription {esc(subscription)}</b> <span class=\"muted\">· "
                       f"{esc(subscription_id)}</span></p>")
            out.append(html_table(_HEADERS, (_row(e, findings.get(e.source, 0))
                                             for e in entries), numeric=(6,)))
        out.append("</div>")
    out.append("</section>")
    return "".join(out)
