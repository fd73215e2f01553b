// Package naming holds the rules by which the services relctl publishes to
// name what it sends them: the OCI tag helm gives a chart version, and the
// name GitHub stores for an uploaded release asset.
//
// Each rule has its one home here so that every package that predicts a
// name (config, notes, state, the providers) and the GitHub emulator that
// stands in for the service agree by construction: two copies drift, and
// the first copy to change is the bug. It is a leaf: it imports nothing of
// relctl, so the lowest packages may use it.
package naming
