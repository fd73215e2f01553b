package config

import (
	"strings"
	"testing"
)

// TestCheckTagName_refusesWhatGitOrGitHubRefuses walks git's
// check-ref-format rules, git tag's leading-dash rule and GitHub's refs/
// rule, each with a name that breaks only that rule.
func TestCheckTagName_refusesWhatGitOrGitHubRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		why  string // part of the reason; "" means valid
	}{
		{"podinfo-v1.2.0", ""},
		{"podinfo-v1.2.0+build.5", ""},
		{"charts/podinfo/v1.2.0", ""},
		{"podinfo@1.2.0", ""},
		{"v1.0.0-rc.1", ""},
		{"a.b", ""},
		{"ünïcode-v1", ""},

		{"", "empty"},
		{strings.Repeat("a", MaxTagLength+1), "over the limit"},
		{"-podinfo-v1.2.0", `start with "-"`},
		{"@", `"@"`},
		{"refs/heads/podinfo", `"refs/"`},
		{"refs/tags/podinfo-v1", `"refs/"`},
		{"pod info", "spaces"},
		{"pod\tinfo", "control"},
		{"pod\x7finfo", "control"},
		{"a~1", `'~'`},
		{"a^1", `'^'`},
		{"a:1", `':'`},
		{"a?1", `'?'`},
		{"a*1", `'*'`},
		{"a[1", `'['`},
		{`a\1`, `'\\'`},
		{"a..b", `".."`},
		{"a@{1}", `"@{"`},
		{"/podinfo", `start or end with "/"`},
		{"podinfo/", `start or end with "/"`},
		{"a//b", `"//"`},
		{"podinfo.", `end with "."`},
		{".podinfo", `start with "."`},
		{"charts/.podinfo", `start with "."`},
		{"podinfo.lock", `".lock"`},
		{"podinfo.lock/v1", `".lock"`},
		{"bad\xffutf8", "UTF-8"},
	} {
		err := CheckTagName(tc.name)
		switch {
		case tc.why == "" && err != nil:
			t.Errorf("CheckTagName(%q) = %v, want valid", tc.name, err)
		case tc.why != "" && err == nil:
			t.Errorf("CheckTagName(%q) accepted a name git or GitHub refuses (%s)", tc.name, tc.why)
		case tc.why != "" && !strings.Contains(err.Error(), tc.why):
			t.Errorf("CheckTagName(%q) = %q, want the reason to mention %s", tc.name, err, tc.why)
		}
	}
}

// TestLoad_releaseTagGitRefusesIsAnErrorNamingChartAndRange is the issue's
// case: both tags passed validate, plan and apply.
func TestLoad_releaseTagGitRefusesIsAnErrorNamingChartAndRange(t *testing.T) {
	for _, tag := range []string{`"-${chart.name}-v${chart.version}"`, `"refs/heads/${chart.name}"`} {
		dir := writeTree(t, withPodinfo(map[string]string{
			FileName: minimalSpec + "\nrelease {\n  tag = " + tag + "\n}\n",
		}))
		p := NewParser()
		_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
		if !diags.HasErrors() {
			t.Fatalf("tag = %s loaded without error", tag)
		}
		d := diags.Errs()[0].(interface{ Error() string })
		out := render(t, p, diags)
		if !strings.Contains(out, "Invalid release tag") || !strings.Contains(out, `chart "podinfo"`) {
			t.Errorf("tag = %s: diagnostic does not name the chart:\n%s", tag, out)
		}
		if !strings.Contains(d.Error(), "relctl.hcl:10,9-") {
			t.Errorf("tag = %s: diagnostic %q does not point at release.tag (line 10)", tag, d.Error())
		}
	}
}
