package planner

import (
	"strings"
	"testing"

	"github.com/relctl/relctl/state"
)

// TestAttestationMap_blockAfterAVeryLongLineIsFound: a pull request body
// with a line over a megabyte (a pasted log, a base64 blob) before the
// attestation map. Reading it line by line with a bounded scanner stopped
// at that line and dropped the error, losing the map.
func TestAttestationMap_blockAfterAVeryLongLineIsFound(t *testing.T) {
	body := "Build log:\n\n" + strings.Repeat("x", 2<<20) + "\r\n\n" +
		"```attestation-map\r\n{\"podinfo\": [\"att-123\"]}\r\n```\r\n"
	pr := &state.PullRequest{Number: 7, Body: body}

	got, warnings := attestationMap(pr, "podinfo")

	if string(got) != `["att-123"]` || len(warnings) != 0 {
		t.Errorf("attestationMap = %s, warnings %q; want [\"att-123\"] and none", got, warnings)
	}
}
