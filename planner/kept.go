package planner

import "github.com/relctl/relctl/state"

// KeptRelease is the release relctl treats as the chart's among those with
// its tag: the published one, else the oldest draft. Verification outside
// the planner must judge the same release the plan keeps, so it asks here
// rather than restating the rule.
func KeptRelease(rels []state.Release) *state.Release {
	keep, _ := pickRelease(rels)
	return keep
}
