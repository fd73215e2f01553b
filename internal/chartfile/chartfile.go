// Package chartfile decodes Chart.yaml as helm's loader does
// (chartutil.LoadChartfile: sigs.k8s.io/yaml into chart.Metadata), once per
// content per process. A plan reads every chart's Chart.yaml twice, when
// the spec is loaded and when the packager stamps the chart's sources;
// decoding the YAML was the larger part of both. It does no IO.
package chartfile

import (
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// decoded holds the metadata of each content decoded without error.
var decoded sync.Map // string(content) → *chart.Metadata

// Parse returns src decoded into chart.Metadata. The result is a copy of
// the top-level struct: a caller may set its fields, and must not modify
// what its slices and maps hold, which the copies share.
func Parse(src []byte) (*chart.Metadata, error) {
	if m, ok := decoded.Load(string(src)); ok {
		c := *m.(*chart.Metadata)
		return &c, nil
	}
	m := new(chart.Metadata)
	if err := yaml.Unmarshal(src, m); err != nil {
		return nil, err
	}
	decoded.Store(string(src), m)
	c := *m
	return &c, nil
}
