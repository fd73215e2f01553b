package planner

import (
	"encoding/json"
	"testing"

	"github.com/relctl/relctl/state"
)

// FuzzAttestationMap: whatever a pull request's description and comments
// hold, reading the attestation map never panics, and what it finds for a
// chart is valid compact JSON (it goes verbatim into the lineage file).
func FuzzAttestationMap(f *testing.F) {
	f.Add("```attestation-map\n{\"podinfo\": {\"id\": 1}}\n```\n", "~~~ attestation-map\n{\"podinfo\": [1, 2]}\n~~~")
	f.Add("```attestation-map\nnot json\n```", "```attestation-map\n{\"podinfo\": {}")
	f.Add("````attestation-map\n```\n````", "")
	f.Add("", "```\n```attestation-map\n{\"podinfo\": null}\n```\n```")
	f.Fuzz(func(t *testing.T, body, comment string) {
		pr := &state.PullRequest{Number: 7, Body: body, Comments: []string{comment}}
		found, _ := attestationMap(pr, "podinfo")
		if found != nil && !json.Valid(found) {
			t.Fatalf("attestation map entry %q is not valid JSON", found)
		}
	})
}
