"""Pages benchmark, over HTTP: latencies against the floor, throughput with wrk, the report."""

import re
import statistics
import subprocess
import time

import httpx


def _centile(valeurs, q):
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, round(q * (len(valeurs) - 1)))]


def _entetes(adresse, page):
    entetes = {"X-Forwarded-Proto": "https", "Cookie": page["cookie"],
               "User-Agent": "pages-contrat-ville"}
    if page["methode"] == "post":
        entetes.update({"Origin": "https://" + adresse.split("://", 1)[1],
                        "Content-Type": "application/x-www-form-urlencoded"})
    return entetes


def _requete(client, adresse, p):
    """Time of one request (ms) and its status; ``None`` when it timed out."""
    t0 = time.perf_counter()
    try:
        reponse = client.request(p["methode"].upper(), p["chemin"], headers=_entetes(adresse, p),
                                 content=p["corps"] if p["methode"] == "post" else None)
        reponse.read()
    except httpx.TimeoutException:
        return None, "délai"
    return (time.perf_counter() - t0) * 1000, reponse.status_code


def latences(adresse, page, repetitions, budget):
    """p50/p95 (ms) of the page and of the floor, measured one after the other in turn; at
    least 3 of each, then until ``repetitions`` or ``budget`` seconds."""
    plancher = {**page, "methode": "get", "chemin": "/plancher/", "corps": ""}
    mesures = {"page": [], "plancher": []}
    statuts = set()
    debut = time.monotonic()
    with httpx.Client(base_url=adresse, timeout=120, follow_redirects=False) as client:
        for i in range(repetitions):
            for cle, p in (("page", page), ("plancher", plancher)):
                duree, statut = _requete(client, adresse, p)
                if duree is not None:
                    mesures[cle].append(duree)
                if cle == "page":
                    statuts.add(statut)
            if i >= 2 and time.monotonic() - debut > budget:
                break
    if not mesures["page"] or not mesures["plancher"]:
        return {"mesures": 0, "statuts_http": sorted(map(str, statuts)), "p50_ms": None,
                "p95_ms": None, "plancher_p50_ms": None, "plancher_p95_ms": None, "ratio": None}
    p50, p50_plancher = (statistics.median(mesures[c]) for c in ("page", "plancher"))
    return {
        "mesures": len(mesures["page"]), "statuts_http": sorted(map(str, statuts)),
        "p50_ms": round(p50, 1), "p95_ms": round(_centile(mesures["page"], 0.95), 1),
        "plancher_p50_ms": round(p50_plancher, 1),
        "plancher_p95_ms": round(_centile(mesures["plancher"], 0.95), 1),
        "ratio": round(p50 / p50_plancher, 1),
    }


def vider(adresse, page, delai=300):
    """Wait until the server has finished what wrk left queued: the floor answers in < 1 s."""
    plancher = {**page, "methode": "get", "chemin": "/plancher/", "corps": ""}
    fin = time.monotonic() + delai
    with httpx.Client(base_url=adresse, timeout=delai, follow_redirects=False) as client:
        while time.monotonic() < fin:
            duree, _statut = _requete(client, adresse, plancher)
            if duree is not None and duree < 1000:
                return


def _script_post(page, repertoire):
    chemin = repertoire / "post.lua"
    chemin.write_text(f'wrk.method = "POST"\nwrk.body = "{page["corps"]}"\n')
    return chemin


def debits(adresse, page, clients, duree, repertoire, workers, file_max=20):
    """Requests per second at each number of connections (wrk, ``duree`` seconds each).

    Not measured (``None``) where the connections would queue more than ``file_max`` s of work
    on the workers (the page's p50 × connections ÷ workers): wrk would stop long before an
    answer and leave the server busy for minutes.
    """
    resultats = {}
    for n in clients:
        if page["p50_ms"] is None or page["p50_ms"] / 1000 * n / workers > file_max:
            resultats[str(n)] = {"req_s": None, "non_2xx_3xx": 0, "non_mesure": True}
            continue
        commande = ["wrk", "-t", str(min(n, 2)), "-c", str(n), "-d", f"{duree}s",
                    "--timeout", "60s", "--latency"]
        for nom, valeur in _entetes(adresse, page).items():
            commande += ["-H", f"{nom}: {valeur}"]
        if page["methode"] == "post":
            commande += ["-s", str(_script_post(page, repertoire))]
        sortie = subprocess.run(commande + [adresse + page["chemin"]], capture_output=True,
                                text=True, timeout=duree + 90).stdout
        debit = re.search(r"Requests/sec:\s+([\d.]+)", sortie)
        erreurs = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", sortie)
        resultats[str(n)] = {
            "req_s": float(debit.group(1)) if debit else None,
            "non_2xx_3xx": int(erreurs.group(1)) if erreurs else 0,
            "delais": "Socket errors" in sortie and "timeout" in sortie,
        }
        vider(adresse, page)
    return resultats


def _ko(octets):
    return f"{octets / 1024:.0f}" if octets >= 10240 else f"{octets / 1024:.1f}"


def _facteur(avant, apres):
    return "—" if not avant or apres is None else f"{apres / avant:.1f}"


def _boutons(boutons):
    if not boutons:
        return []
    lignes = ["| Rôle | Bouton (temps serveur) | HTTP | appuis | requêtes SQL | médiane ms | "
              "max ms |", "|---|---|---|---:|---:|---:|---:|"]
    for b in boutons:
        lignes.append(
            f"| {b['role']} | {b['bouton']} | {'/'.join(map(str, b['statuts_http']))} | "
            f"{b['appuis']} | {b['requetes']} | {b['mediane_ms']} | {b['max_ms']} |"
        )
    return [*lignes, ""]


def _croissance(base, petit, grand, tailles):
    lignes = [
        f"### Croissance {petit} → {grand} dossiers, {base}", "",
        "| Rôle | Page | p50 ms | × | ratio au plancher | × | Ko | × | requêtes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for cle, a in tailles[petit].items():
        b = tailles[grand].get(cle)
        if b is None:
            continue
        lignes.append(
            f"| {cle[0]} | {cle[1]} | {a['p50_ms']} → {b['p50_ms']} | "
            f"{_facteur(a['p50_ms'], b['p50_ms'])} | {a['ratio']} → {b['ratio']} | "
            f"{_facteur(a['ratio'], b['ratio'])} | {_ko(a['octets'])} → {_ko(b['octets'])} | "
            f"{b['octets'] / max(a['octets'], 1):.1f} | {a['requetes']} → {b['requetes']} |"
        )
    return [*lignes, ""]


def rapport(resultats):
    """Markdown: one table per configuration, then the 150 → N growth of each page."""
    lignes = []
    for r in resultats:
        charge = " → ".join(
            "/".join(f"{c:.1f}" for c in r[k]) for k in ("charge_debut", "charge_fin") if k in r
        )
        lignes += [
            f"### {r['base']}, {r['dossiers']} dossiers (generer_volume : {r['generation_s']} s)",
            "",
            f"Charge moyenne (1/5/15 min), début → fin : {charge or 'non relevée'}.",
            "",
            "| Rôle | Page | HTTP | Requêtes SQL | Ko | p50 ms | p95 ms | plancher p50 ms | "
            "ratio | req/s à 1 / 8 / 32 |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for p in r["pages"]:
            debit = " / ".join(
                "—" if d["req_s"] is None else f"{d['req_s']:.1f}" for d in p["debits"].values()
            )
            lignes.append(
                f"| {p['role']} | {p['page']} | {p['statut']} | {p['requetes']} | "
                f"{_ko(p['octets'])} | {p['p50_ms']} | {p['p95_ms']} | {p['plancher_p50_ms']} | "
                f"{p['ratio'] if p['ratio'] is not None else '—'} | {debit} |"
            )
        lignes.append("")
        lignes += _boutons(r.get("boutons") or [])
    par_base = {}
    for r in resultats:
        par_base.setdefault(r["base"], {})[r["dossiers"]] = {
            (p["role"], p["page"]): p for p in r["pages"]
        }
    for base, tailles in par_base.items():
        petit = min(tailles)
        for grand in sorted(t for t in tailles if t != petit):
            lignes += _croissance(base, petit, grand, tailles)
    return "\n".join(lignes)
