package notes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChangelogSection_findsKeepAChangelogSections(t *testing.T) {
	for _, tc := range []struct {
		name, changelog, version string
		want                     string
		ok                       bool
	}{
		{"bracketed heading with date", keepAChangelog, "6.1.0",
			"### Added\n\n- Support for `podAnnotations`.\n\n### Fixed\n\n- Probe timeouts.", true},
		{"last section stops before link definitions", keepAChangelog, "6.0.0", "- First release.", true},
		{"v-prefixed version", keepAChangelog, "v6.0.0", "- First release.", true},
		{"plain heading", "# Changelog\n\n## 1.2.0\n\nFixed it.\n\n## 1.1.0\n\nOlder.\n", "1.2.0", "Fixed it.", true},
		{"plain heading with v and date", "## v1.2.0 (2024-01-01)\n- a\n## v1.1.0\n- b\n", "1.2.0", "- a", true},
		{"prerelease is not the release", "## [1.2.0-rc.1]\n- rc\n## [1.2.0]\n- final\n", "1.2.0", "- final", true},
		{"level-3 heading does not end the section", "## 2.0.0\n### Added\n- x\n## 1.0.0\n", "2.0.0", "### Added\n- x", true},
		{"heading inside a code fence is ignored", "## 2.0.0\n```\n## 1.0.0\n```\nafter\n## 1.0.0\nold\n", "2.0.0", "```\n## 1.0.0\n```\nafter", true},
		{"a fence never closed does not carry the next version in", "## 2.0.0\n```\nopen\n## 1.0.0\nold\n", "2.0.0", "```\nopen", true},
		{"CRLF line endings", "## 1.0.0\r\n\r\n- one\r\n", "1.0.0", "- one", true},
		{"empty section", "## 1.0.0\n\n## 0.9.0\n- old\n", "1.0.0", "", true},
		{"missing version", keepAChangelog, "9.9.9", "", false},
		{"no changelog", "", "1.0.0", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ChangelogSection([]byte(tc.changelog), tc.version)
			if ok != tc.ok {
				t.Errorf("ok = %v, want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("section (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseChanges_structuredStringsAndPlainLines(t *testing.T) {
	for _, tc := range []struct {
		name, annotation string
		want             []Change
	}{
		{"objects", "- kind: added\n  description: Cool feature\n  links:\n    - name: PR\n      url: https://x\n- kind: fixed\n  description: Minor bug\n",
			[]Change{{Kind: "added", Description: "Cool feature"}, {Kind: "fixed", Description: "Minor bug"}}},
		{"strings", "- Added cool feature\n- Fixed minor bug\n",
			[]Change{{Description: "Added cool feature"}, {Description: "Fixed minor bug"}}},
		{"plain lines", "Added cool feature\n\nFixed: minor bug\n",
			[]Change{{Description: "Added cool feature"}, {Description: "Fixed: minor bug"}}},
		{"multi-line description folds", "- kind: changed\n  description: |\n    first\n    second\n",
			[]Change{{Kind: "changed", Description: "first second"}}},
		{"empty", "  \n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ParseChanges(tc.annotation)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
