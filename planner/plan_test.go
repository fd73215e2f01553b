package planner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func TestPlan_ociChart(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(w *world)
		want       Action
		reason     string
		warnings   int
		wantChange int // number of changes in the plan
	}{
		{
			name:   "tag absent is created",
			setup:  func(w *world) {},
			want:   ActionCreate,
			reason: "tag 1.2.0 absent",
		},
		{
			name:   "same digest is a no-op",
			setup:  func(w *world) { w.published() },
			want:   ActionNoOp,
			reason: "published, digest sha256:111111111111",
		},
		{
			name: "other digest with the same files is adopted, not re-pushed",
			setup: func(w *world) {
				c := w.chart()
				c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.ContentDigest = true, d("9"), d("c")
				c.OCI.RemoteArchive = []byte("helm's archive")
			},
			want:   ActionNoOp,
			reason: "in sync: 1.2.0 holds the same chart files under another digest (sha256:999999999999); adopted",
		},
		{
			name: "other content under on_conflict fail is blocked",
			setup: func(w *world) {
				c := w.chart()
				c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.ContentDigest = true, d("9"), d("8")
			},
			want:   ActionBlocked,
			reason: "version 1.2.0 is already published with other content (digest sha256:999999999999 ≠ sha256:111111111111): bump the chart version",
		},
		{
			name: "other content under on_conflict overwrite is replaced",
			setup: func(w *world) {
				w.spec.Registry.OnConflict = config.ConflictOverwrite
				c := w.chart()
				c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.ContentDigest = true, d("9"), d("8")
			},
			want:   ActionReplace,
			reason: `version 1.2.0 is already published with other content (digest sha256:999999999999 ≠ sha256:111111111111); on_conflict = "overwrite"`,
		},
		{
			name: "other content under on_conflict skip leaves the chart alone, with a warning",
			setup: func(w *world) {
				w.spec.Registry.OnConflict = config.ConflictSkip
				c := w.chart()
				c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.ContentDigest = true, d("9"), d("8")
			},
			want:       ActionNoOp,
			reason:     `version 1.2.0 is already published with other content (digest sha256:999999999999 ≠ sha256:111111111111); skipped (on_conflict = "skip")`,
			warnings:   1,
			wantChange: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(config.SigningNone, false)
			tt.setup(w)
			p := w.plan(t)
			got := change(t, p, "oci_chart.podinfo")
			if got.Action != tt.want || got.Reason != tt.reason {
				t.Errorf("oci_chart.podinfo = %s %q\nwant %s %q", got.Action, got.Reason, tt.want, tt.reason)
			}
			if len(p.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", p.Warnings, tt.warnings)
			}
			if tt.wantChange > 0 && len(p.Changes) != tt.wantChange {
				t.Errorf("changes = %v, want %d", actions(p), tt.wantChange)
			}
		})
	}
}

func TestPlan_signature(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(w *world)
		want   Action
		reason string
		target string
	}{
		{"unpublished chart is signed after push", func(w *world) {}, ActionCreate, "chart not yet in the registry at this digest", d("1")},
		{"valid signature is a no-op", func(w *world) {
			w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1, Reason: "1 valid signature"}
		}, ActionNoOp, "1 valid signature", d("1")},
		{"a signature cosign v3 stored as a bundle is a no-op", func(w *world) {
			w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1, Formats: []string{state.SignatureFormatFallbackTag}, Reason: "1 valid signature: bundle (fallback tag)"}
		}, ActionNoOp, "1 valid signature: bundle (fallback tag)", d("1")},
		{"a foreign signature does not count", func(w *world) {
			w.published().chart().Signature = &state.SignatureState{Count: 1, Reason: "1 signature, none valid for the configured key"}
		}, ActionCreate, "1 signature, none valid for the configured key", d("1")},
		{"an adopted chart is signed at the registry's digest", func(w *world) {
			c := w.chart()
			c.OCI.Exists, c.OCI.ManifestDigest, c.OCI.ContentDigest = true, d("9"), d("c")
			c.Signature = &state.SignatureState{Reason: "no signature"}
		}, ActionCreate, "no signature", d("9")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(config.SigningKey, false)
			tt.setup(w)
			got := change(t, w.plan(t), "oci_signature.podinfo")
			if got.Action != tt.want || got.Reason != tt.reason || got.After["manifest"] != tt.target {
				t.Errorf("oci_signature.podinfo = %s %q on %s\nwant %s %q on %s", got.Action, got.Reason, got.After["manifest"], tt.want, tt.reason, tt.target)
			}
		})
	}
}

func TestPlan_freshChartCreatesEveryResourceInApplyOrder(t *testing.T) {
	w := newWorld(config.SigningKey, true)
	p := w.plan(t)
	want := []string{
		"oci_chart.podinfo create",
		"oci_signature.podinfo create",
		"github_release.podinfo create",
		`github_release_asset.podinfo["podinfo-1.2.0.tgz"] create`,
		`github_release_asset.podinfo["podinfo-1.2.0.tgz.sig"] create`,
		`github_release_asset.podinfo["CHANGELOG.md"] create`,
		`github_release_asset.podinfo["README.md"] create`,
	}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Warning{{Kind: "optional asset LICENSE missing", Chart: "podinfo", Message: "podinfo: optional asset LICENSE not found in charts/podinfo; the release goes without it"}}, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	rel := change(t, p, "github_release.podinfo")
	if rel.After["target_commitish"] != "abc123" || rel.After["make_latest"] != "false" || !strings.Contains(rel.After["body"], "podinfo") {
		t.Errorf("release after = %v", rel.After)
	}
}

func TestPlan_release(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world, body string)
		want  []string
		// reasons maps an address to a substring its reason must hold.
		reasons map[string]string
	}{
		{
			name: "published and complete is a no-op",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				w.release(1, false, body, completeAssets())
			},
			want: []string{"oci_chart.podinfo no-op", "oci_signature.podinfo no-op", "github_release.podinfo no-op", "git_tag.podinfo no-op",
				`github_release_asset.podinfo["podinfo-1.2.0.tgz"] no-op`, `github_release_asset.podinfo["podinfo-1.2.0.tgz.sig"] no-op`,
				`github_release_asset.podinfo["CHANGELOG.md"] no-op`, `github_release_asset.podinfo["README.md"] no-op`},
		},
		{
			name: "a draft left by a crashed run is completed: only missing assets are uploaded",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				w.release(7, true, body, map[string]string{"podinfo-1.2.0.tgz": d("a"), "CHANGELOG.md": d("e")})
			},
			want: []string{"oci_chart.podinfo no-op", "oci_signature.podinfo no-op", "github_release.podinfo update",
				`github_release_asset.podinfo["podinfo-1.2.0.tgz"] no-op`, `github_release_asset.podinfo["podinfo-1.2.0.tgz.sig"] create`,
				`github_release_asset.podinfo["CHANGELOG.md"] no-op`, `github_release_asset.podinfo["README.md"] create`},
			reasons: map[string]string{"github_release.podinfo": "draft 7 exists (left by an earlier run): complete and publish it"},
		},
		{
			name: "duplicate drafts: the oldest is kept, the others deleted",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				w.release(7, true, body, nil)
				w.release(8, true, body, nil)
			},
			reasons: map[string]string{"github_release.podinfo": "1 duplicate draft(s) for the tag: keep 7, delete 8"},
		},
		{
			name: "notes changed with update_notes is an update",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				w.release(1, false, "old notes", completeAssets())
			},
			reasons: map[string]string{"github_release.podinfo": "notes differ"},
		},
		{
			name: "notes changed without update_notes is left alone",
			setup: func(w *world, body string) {
				w.spec.GitHub.UpdateNotes = false
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				w.release(1, false, "old notes", completeAssets())
			},
			reasons: map[string]string{"github_release.podinfo": "published; notes differ but update_notes = false"},
		},
		{
			name: "asset with other content is blocked under on_asset_conflict fail",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				a := completeAssets()
				a["README.md"] = d("0")
				w.release(1, false, body, a)
			},
			reasons: map[string]string{`github_release_asset.podinfo["README.md"]`: `asset has other content: sha256:000000000000 ≠ sha256:ffffffffffff (on_asset_conflict = "fail")`},
		},
		{
			name: "asset with other content is replaced under on_asset_conflict replace",
			setup: func(w *world, body string) {
				w.spec.GitHub.OnAssetConflict = config.AssetConflictReplace
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				a := completeAssets()
				a["README.md"] = d("0")
				w.release(1, true, body, a)
			},
			reasons: map[string]string{`github_release_asset.podinfo["README.md"]`: `(on_asset_conflict = "replace")`},
		},
		{
			name: "an immutable published release missing an asset is blocked",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				a := completeAssets()
				delete(a, "README.md")
				w.release(1, false, body, a).Immutable = true
			},
			reasons: map[string]string{`github_release_asset.podinfo["README.md"]`: "release podinfo-v1.2.0 is published and immutable: its assets are locked, so README.md cannot be added"},
		},
		{
			name: "a leftover of a failed upload is replaced",
			setup: func(w *world, body string) {
				w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
				r := w.release(1, true, body, completeAssets())
				r.Assets[3].State, r.Assets[3].Digest = "starter", ""
			},
			reasons: map[string]string{`github_release_asset.podinfo["README.md"]`: `left in state "starter" by a failed upload`},
		},
		{
			name: "a required asset that is missing blocks the release",
			setup: func(w *world, body string) {
				w.spec.Release.Assets[2].Required = true
			},
			reasons: map[string]string{`github_release_asset.podinfo["LICENSE"]`: "required asset LICENSE is missing from charts/podinfo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(config.SigningKey, true)
			body, err := renderNotes(w.spec, w.spec.Charts[0], w.chart())
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(w, body)
			p := w.plan(t)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, actions(p)); diff != "" {
					t.Errorf("changes (-want +got):\n%s", diff)
				}
			}
			for addr, reason := range tt.reasons {
				if got := change(t, p, addr).Reason; !strings.Contains(got, reason) {
					t.Errorf("%s reason = %q, want it to contain %q", addr, got, reason)
				}
			}
		})
	}
}

func TestPlan_isDeterministic(t *testing.T) {
	var outs [][]byte
	for range 3 {
		w := newWorld(config.SigningKeyless, true)
		var buf bytes.Buffer
		if err := w.plan(t).Write(&buf); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, buf.Bytes())
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("plan %d differs from plan 0:\n%s", i, cmp.Diff(string(outs[0]), string(outs[i])))
		}
	}
}

func TestPlan_jsonRoundTripsAndCheckStaleSeesRemoteChanges(t *testing.T) {
	w := newWorld(config.SigningNone, true)
	saved := w.plan(t)
	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		t.Fatal(err)
	}
	read, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(saved, read); diff != "" {
		t.Fatalf("round trip (-saved +read):\n%s", diff)
	}
	if err := CheckStale(read, w.plan(t)); err != nil {
		t.Fatalf("unchanged world: %v", err)
	}

	w.published()
	err = CheckStale(read, w.plan(t))
	if err == nil || !strings.Contains(err.Error(), "the remote changed since it was made: oci_chart.podinfo changed (was create: absent, now no-op: sha256:111111111111)") {
		t.Fatalf("CheckStale after a push = %v", err)
	}

	w2 := newWorld(config.SigningNone, true)
	w2.chart().Package.Digest = d("b")
	if err := CheckStale(read, w2.plan(t)); err == nil || !strings.Contains(err.Error(), "the spec or the charts changed") {
		t.Fatalf("CheckStale after a chart edit = %v", err)
	}
}

func TestPlan_warnsWhenSigningFailuresWouldPublishUnsigned(t *testing.T) {
	w := newWorld(config.SigningKey, false)
	w.spec.Signing.OnFailure = config.SigningFailureWarn
	p := w.plan(t)
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "published UNSIGNED") {
		t.Fatalf("warnings = %q", p.Warnings)
	}
	w.spec.Signing.OnFailure = config.SigningFailureFail
	if p := w.plan(t); len(p.Warnings) != 0 {
		t.Fatalf("warnings under on_failure = fail: %q", p.Warnings)
	}
}

func TestPlan_saysWhenGitHubWillRenameAnAsset(t *testing.T) {
	w := newWorld(config.SigningNone, true)
	c := w.chart()
	c.Assets = append(c.Assets, state.LocalAsset{Name: "release.notes.v1.txt", SourceName: "release notes (v1).txt", Path: "/repo/release notes (v1).txt", Digest: d("7"), Size: 5})
	p := w.plan(t)
	change(t, p, `github_release_asset.podinfo["release.notes.v1.txt"]`)
	found := false
	for _, w := range p.Warnings {
		if strings.Contains(w.Message, `release notes (v1).txt is uploaded as "release.notes.v1.txt"`) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no rename warning in %q", p.Warnings)
	}
}

func TestPlan_gitTag(t *testing.T) {
	tests := []struct {
		name   string
		tag    *state.GitTag
		commit string
		want   Action
		reason string
	}{
		{"absent tag is created by GitHub at the commit", &state.GitTag{}, "abc123", ActionCreate, "created by GitHub at abc123 when the release is published"},
		{"absent tag without a known commit says so", &state.GitTag{}, "", ActionCreate, "at the default branch's head"},
		{"tag at the commit being released is used", &state.GitTag{Exists: true, Commit: "abc123"}, "abc123", ActionNoOp, "exists at abc123"},
		{"tag at another commit blocks the release", &state.GitTag{Exists: true, Commit: "0ther0ther0ther0"}, "abc123", ActionBlocked,
			"tag podinfo-v1.2.0 already points at 0ther0ther0t, not at abc123 being released"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(config.SigningNone, true)
			w.snap.Commit = tt.commit
			w.chart().GitTag = tt.tag
			got := change(t, w.plan(t), "git_tag.podinfo")
			if got.Action != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("git_tag.podinfo = %s %q, want %s containing %q", got.Action, got.Reason, tt.want, tt.reason)
			}
		})
	}
}
