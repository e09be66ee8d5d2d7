#!/usr/bin/env python3
"""Writes the Suricata configuration the comparison scripts use: the distribution's
/etc/suricata/suricata.yaml with its outputs reduced to what Portcullis writes, so neither engine
pays for logging the other does not do.

Changes: fast.log off; EVE on with only `alert` records (with `pcap_filename`); every other output
except stats.log off; the classification file given on the command line. Detection, stream,
app-layer and flow settings stay the distribution's defaults.

usage: suricata_conf.py OUT.yaml CLASSIFICATION_FILE [BASE.yaml]
"""

import sys

import yaml


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    out_path, classification = sys.argv[1], sys.argv[2]
    base = sys.argv[3] if len(sys.argv) == 4 else "/etc/suricata/suricata.yaml"
    with open(base, encoding="utf-8") as f:
        conf = yaml.safe_load(f)
    outputs = []
    for item in conf.get("outputs") or []:
        (name, settings), = item.items()
        settings = dict(settings or {})
        if name == "eve-log":
            settings.update(
                {
                    "enabled": True,
                    "filetype": "regular",
                    "filename": "eve.json",
                    "pcap-file": True,
                    "types": [{"alert": {"tagged-packets": False}}],
                }
            )
        elif name == "stats":
            settings["enabled"] = True
        else:
            settings["enabled"] = False
        outputs.append({name: settings})
    conf["outputs"] = outputs
    conf["classification-file"] = classification
    # The rule files come from -S only.
    conf["rule-files"] = []
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("%YAML 1.1\n---\n")
        yaml.safe_dump(conf, out, default_flow_style=False, sort_keys=False)


if __name__ == "__main__":
    main()
