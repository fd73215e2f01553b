package planner

import (
	"testing"

	"github.com/relctl/relctl/config"
)

func TestPlan_tagHoldingSomethingElseThanAChartBlocksThatChartWithTheReason(t *testing.T) {
	const reason = "ghcr.io/acme/charts/podinfo:1.2.0 holds a container image (application/vnd.oci.image.config.v1+json), not a Helm chart"
	for _, policy := range []config.ConflictPolicy{config.ConflictFail, config.ConflictSkip, config.ConflictOverwrite} {
		t.Run(string(policy), func(t *testing.T) {
			w := newWorld(config.SigningNone, false)
			w.spec.Registry.OnConflict = policy
			c := w.chart()
			c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.NotAChart = true, d("9"), reason

			got := change(t, w.plan(t), "oci_chart.podinfo")

			// Overwriting would destroy an image someone published under
			// the chart's name, whatever on_conflict allows for charts.
			if got.Action != ActionBlocked || got.Reason != reason {
				t.Errorf("oci_chart.podinfo = %s %q, want blocked %q", got.Action, got.Reason, reason)
			}
		})
	}
}
