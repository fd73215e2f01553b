package oci

import (
	"context"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// BenchmarkResolve measures the cost of observing one chart version that
// is already published: the call a no-change plan makes per chart.
func BenchmarkResolve(b *testing.B) {
	s := startRegistry(b, ocitest.Options{})
	c := newClient(b, Options{})
	pkg := testPackage(b, "podinfo", "1.2.0")
	repository := s.Host + "/acme/podinfo"
	mustPush(b, c, repository, pkg)
	ctx := context.Background()
	s.ResetRequests()
	b.ReportAllocs()

	for b.Loop() {
		if _, err := c.Resolve(ctx, repository, "1.2.0"); err != nil {
			b.Fatal(err)
		}
	}

	b.ReportMetric(float64(len(s.Requests()))/float64(b.N), "requests/op")
}
