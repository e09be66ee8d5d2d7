//! Rule variables (`$HOME_NET`, `$HTTP_PORTS`, ...): Suricata's two namespaces, address groups
//! and port groups, with the defaults shipped in suricata.yaml 7 and overrides from config.
//! Values are kept as text and expanded (recursively) where a rule uses them.

use std::collections::HashMap;

/// Address and port variables available to rule headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars {
    addresses: HashMap<String, String>,
    ports: HashMap<String, String>,
}

/// Address groups of suricata.yaml 7.
const DEFAULT_ADDRESSES: &[(&str, &str)] = &[
    ("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"),
    ("EXTERNAL_NET", "!$HOME_NET"),
    ("HTTP_SERVERS", "$HOME_NET"),
    ("SMTP_SERVERS", "$HOME_NET"),
    ("SQL_SERVERS", "$HOME_NET"),
    ("DNS_SERVERS", "$HOME_NET"),
    ("TELNET_SERVERS", "$HOME_NET"),
    ("AIM_SERVERS", "$EXTERNAL_NET"),
    ("DC_SERVERS", "$HOME_NET"),
    ("DNP3_SERVER", "$HOME_NET"),
    ("DNP3_CLIENT", "$HOME_NET"),
    ("MODBUS_CLIENT", "$HOME_NET"),
    ("MODBUS_SERVER", "$HOME_NET"),
    ("ENIP_CLIENT", "$HOME_NET"),
    ("ENIP_SERVER", "$HOME_NET"),
];

/// Port groups of suricata.yaml 7.
const DEFAULT_PORTS: &[(&str, &str)] = &[
    ("HTTP_PORTS", "80"),
    ("SHELLCODE_PORTS", "!80"),
    ("ORACLE_PORTS", "1521"),
    ("SSH_PORTS", "22"),
    ("DNP3_PORTS", "20000"),
    ("MODBUS_PORTS", "502"),
    ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
    ("FTP_PORTS", "21"),
    ("GENEVE_PORTS", "6081"),
    ("VXLAN_PORTS", "4789"),
    ("TEREDO_PORTS", "3544"),
];

impl Default for Vars {
    /// Suricata 7's shipped defaults (suricata.yaml `vars:`).
    fn default() -> Self {
        let own = |table: &[(&str, &str)]| {
            table
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Vars {
            addresses: own(DEFAULT_ADDRESSES),
            ports: own(DEFAULT_PORTS),
        }
    }
}

/// Accepts a name written with or without its `$`.
fn bare(name: &str) -> &str {
    name.strip_prefix('$').unwrap_or(name)
}

impl Vars {
    /// No variables at all (every `$X` in a rule is then undefined).
    pub fn empty() -> Self {
        Vars {
            addresses: HashMap::new(),
            ports: HashMap::new(),
        }
    }

    /// Defines or overrides an address group, e.g. `("HOME_NET", "[10.0.0.0/8]")`. The value is
    /// checked when a rule uses it.
    pub fn set_address(&mut self, name: &str, value: &str) {
        self.addresses
            .insert(bare(name).to_string(), value.trim().to_string());
    }

    /// Defines or overrides a port group, e.g. `("HTTP_PORTS", "[80,8080]")`.
    pub fn set_port(&mut self, name: &str, value: &str) {
        self.ports
            .insert(bare(name).to_string(), value.trim().to_string());
    }

    /// The text of an address group.
    pub fn address(&self, name: &str) -> Option<&str> {
        self.addresses.get(bare(name)).map(String::as_str)
    }

    /// The text of a port group.
    pub fn port(&self, name: &str) -> Option<&str> {
        self.ports.get(bare(name)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let mut v = Vars::default();
        assert_eq!(
            v.address("HOME_NET"),
            Some("[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]")
        );
        assert_eq!(v.address("$EXTERNAL_NET"), Some("!$HOME_NET"));
        // As shipped in suricata.yaml 7 (not $HOME_NET).
        assert_eq!(v.address("AIM_SERVERS"), Some("$EXTERNAL_NET"));
        assert_eq!(v.address("DC_SERVERS"), Some("$HOME_NET"));
        assert_eq!(v.port("FILE_DATA_PORTS"), Some("[$HTTP_PORTS,110,143]"));
        assert_eq!(v.port("HOME_NET"), None);
        assert_eq!(v.address("HTTP_PORTS"), None);
        v.set_address("$HOME_NET", " 10.1.0.0/16 ");
        v.set_port("HTTP_PORTS", "[80,8080]");
        assert_eq!(v.address("HOME_NET"), Some("10.1.0.0/16"));
        assert_eq!(v.port("HTTP_PORTS"), Some("[80,8080]"));
        assert_eq!(Vars::empty().address("HOME_NET"), None);
    }
}
