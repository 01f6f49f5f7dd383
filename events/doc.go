// Package events is hotline's event contract: the envelope every fact travels in, one Go type
// per payload with the unit and meaning of every field, JSON encoding, validation, the schema
// version, the topic each type goes to and the key that keeps per-entity order.
//
// Every producer (routing, dialer, qa, the simulator, core-system feeds) builds events with these
// types and publishes them with a Publisher; ingest decodes them with Decode and stores them in
// ClickHouse. A change to a payload is a change of the contract: bump SchemaVersion when a field's
// meaning changes, add fields only as optional ones.
package events
