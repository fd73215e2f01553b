package httplog

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkTransport measures what the trace adds to one loopback request:
// run with and without it (b.Run "off" is a nil Logger).
func BenchmarkTransport(b *testing.B) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer s.Close()
	for _, tt := range []struct {
		name string
		log  *Logger
	}{{"off", nil}, {"debug", New(io.Discard)}} {
		b.Run(tt.name, func(b *testing.B) {
			client := &http.Client{Transport: tt.log.Requests(tt.log.Transport(http.DefaultTransport.(*http.Transport).Clone()))}
			url := s.URL + "/v2/acme/charts/podinfo/tags/list?n=100&last=x&token=t"
			for b.Loop() {
				resp, err := client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
