package helm

import (
	"context"
	"testing"
)

// BenchmarkPackage packages the small test chart with two vendored
// dependencies: load, archive, content digest and OCI metadata.
func BenchmarkPackage(b *testing.B) {
	dir := writeChart(b, b.TempDir(), fixture{vendored: true})
	p := New(Options{SourceDateEpoch: "1700000000"})
	c := chartConfig(dir)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Package(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
