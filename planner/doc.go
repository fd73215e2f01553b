// Package planner computes a Plan from a Spec and a Snapshot, and applies a
// Plan through small writer interfaces that it declares.
//
// Plan is a pure function: no context, no clock, no IO; the same inputs give
// the same plan, byte for byte. Apply is the only place relctl writes to a
// registry or GitHub, and it re-checks each action's precondition against the
// remote right before writing.
package planner
