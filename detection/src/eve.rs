//! EVE JSON event types (Suricata's field names).
