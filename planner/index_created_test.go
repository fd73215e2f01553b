package planner

import (
	"testing"
	"time"
)

// The entry's created is when the released commit was made, not the chart
// folder's last commit: a chart untouched for a year released today from a
// new commit is dated by that commit.
func TestPlanIndex_createdIsTheReleasedCommitsTime(t *testing.T) {
	w := indexWorld(t, false, nil)
	w.snap.Commit = "0123456789abcdef0123456789abcdef01234567"
	w.snap.CommitTime = time.Date(2026, 11, 30, 23, 0, 0, 0, time.FixedZone("x", -3600))
	for range 2 { // deterministic: re-planning the same commit gives the same entry
		ch := change(t, w.plan(t), "helm_index_entry.podinfo")
		want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		if !ch.Index.Created.Equal(want) || ch.Index.Created.Location() != time.UTC {
			t.Errorf("created = %v, want the commit's time %v in UTC", ch.Index.Created, want)
		}
		if got := ch.Index.record().Created; !got.Equal(want) {
			t.Errorf("the written record's created = %v, want %v", got, want)
		}
	}
}

// Without the commit's time (no git, a shallow clone) the package time
// stands in, as before.
func TestPlanIndex_createdFallsBackToThePackageTime(t *testing.T) {
	w := indexWorld(t, false, nil)
	w.snap.Commit = "0123456789abcdef0123456789abcdef01234567"
	ch := change(t, w.plan(t), "helm_index_entry.podinfo")
	if want := time.Date(2025, 3, 4, 4, 6, 7, 0, time.UTC); !ch.Index.Created.Equal(want) {
		t.Errorf("created = %v, want the package time %v", ch.Index.Created, want)
	}
}
