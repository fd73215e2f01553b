package chartfile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

const src = "apiVersion: v2\nname: podinfo\nversion: 6.5.0\nappVersion: \"6.5.0\"\ndescription: Podinfo\nannotations:\n  artifacthub.io/changes: |\n    - kind: added\n      description: x\ndependencies:\n  - name: common\n    version: 0.1.0\n"

// The metadata is what helm's own decoding gives, the second decoding of
// the same content too, and a caller setting a field of its copy does not
// change what the next caller gets.
func TestParse_isHelmsDecodingEveryTimeAndCallersGetCopies(t *testing.T) {
	want := new(chart.Metadata)
	if err := yaml.Unmarshal([]byte(src), want); err != nil {
		t.Fatal(err)
	}
	first, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Fatalf("first Parse differs from helm's decoding (-helm +Parse):\n%s", diff)
	}
	first.APIVersion, first.Name = "v1", "changed"
	second, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second Parse differs from helm's decoding after a caller changed its copy (-helm +Parse):\n%s", diff)
	}
}

func TestParse_badYAMLIsAnErrorEveryTime(t *testing.T) {
	for range 2 {
		if _, err := Parse([]byte("name: [unclosed\n")); err == nil {
			t.Fatal("Parse accepted YAML that does not parse")
		}
	}
	if _, err := Parse([]byte("name: x\nkeywords: not-a-list\n")); err == nil {
		t.Fatal("Parse accepted keywords that helm's loader refuses")
	}
}

// BenchmarkParse_sameContent is the second reading of a chart's
// Chart.yaml in a plan.
func BenchmarkParse_sameContent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse([]byte(src)); err != nil {
			b.Fatal(err)
		}
	}
}
