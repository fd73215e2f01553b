package httplog

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"oras.land/oras-go/v2/registry/remote/retry"
)

// flaky answers 503 to the first request of each path, then 200.
func flaky(t *testing.T) *httptest.Server {
	t.Helper()
	var seen sync.Map
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, again := seen.LoadOrStore(r.URL.Path, true); !again {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Set-Cookie", "session=server-secret")
		io.WriteString(w, `{"token":"body-secret"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func fastRetries() retry.Policy {
	p := *retry.DefaultPolicy.(*retry.GenericPolicy)
	p.MinWait, p.MaxWait = time.Millisecond, time.Millisecond
	p.Backoff = retry.ExponentialBackoff(time.Millisecond, 1, 0)
	return &p
}

func TestTransport_logsEachAttemptWithMethodURLStatusDurationAndRetryButNoHeaderOrBody(t *testing.T) {
	s := flaky(t)
	var out bytes.Buffer
	l := New(&out)
	// oras-go's retry layer resends the same request: the attempts are
	// numbered without Requests.
	client := &http.Client{Transport: &retry.Transport{Base: l.Transport(nil), Policy: fastRetries}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v2/acme/charts/podinfo/manifests/1.2.0", nil)
	req.Header.Set("Authorization", "Bearer header-secret")
	req.SetBasicAuth("ci", "basic-secret")

	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^relctl \[DEBUG\] http: GET ` + regexp.QuoteMeta(s.URL) + `/v2/acme/charts/podinfo/manifests/1\.2\.0 -> 503 \([0-9.]+m?s\)$`),
		regexp.MustCompile(`^relctl \[DEBUG\] http: GET ` + regexp.QuoteMeta(s.URL) + `/v2/acme/charts/podinfo/manifests/1\.2\.0 -> 200 \([0-9.]+m?s, retry 1\)$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("trace has %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], re)
		}
	}
	for _, secret := range []string{"header-secret", "basic-secret", "Y2k6YmFzaWMtc2VjcmV0", "server-secret", "body-secret", "Authorization"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("trace holds %q:\n%s", secret, out.String())
		}
	}
}

func TestRequests_numbersTheAttemptsOfARetryLayerThatClonesEachAttempt(t *testing.T) {
	s := flaky(t)
	var out bytes.Buffer
	l := New(&out)
	client := &http.Client{Transport: l.Requests(cloningRetry{l.Transport(nil)})}

	for _, path := range []string{"/repos/acme/charts/releases", "/repos/acme/charts/tags"} {
		resp, err := client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	got := strings.Count(out.String(), ", retry 1)")
	if got != 2 || strings.Contains(out.String(), "retry 2") {
		t.Errorf("want each request's second attempt numbered retry 1, got:\n%s", out.String())
	}
}

// cloningRetry retries a 503 once, cloning the request for each attempt
// as relctl's GitHub retry layer does.
type cloningRetry struct{ next http.RoundTripper }

func (c cloningRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req.Clone(req.Context()))
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		return resp, err
	}
	resp.Body.Close()
	return c.next.RoundTrip(req.Clone(req.Context()))
}

func TestTransport_logsAFailedConnectionWithoutTheQuery(t *testing.T) {
	var out bytes.Buffer
	l := New(&out)
	s := httptest.NewServer(http.NotFoundHandler())
	addr := s.URL
	s.Close() // nothing listens there any more

	_, err := (&http.Client{Transport: l.Transport(nil)}).Get(addr + "/x?access_token=query-secret")

	if err == nil {
		t.Fatal("request to a closed server succeeded")
	}
	line := out.String()
	if !strings.Contains(line, "GET "+addr+"/x?access_token=REDACTED -> error: ") || strings.Contains(line, "query-secret") {
		t.Errorf("trace = %q, want the failed attempt with its query redacted", line)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://ghcr.io/v2/acme/charts/podinfo/tags/list?n=100&last=1.0.0", "https://ghcr.io/v2/acme/charts/podinfo/tags/list?last=1.0.0&n=100"},
		{"https://ghcr.io/token?scope=repository%3Aacme%2Fcharts%2Fpodinfo%3Apull&service=ghcr.io", "https://ghcr.io/token?scope=repository%3Aacme%2Fcharts%2Fpodinfo%3Apull&service=ghcr.io"},
		{"https://objects.githubusercontent.com/x/podinfo.tgz?X-Amz-Signature=abc&X-Amz-Credential=AKIA&response-content-type=application%2Foctet-stream", "https://objects.githubusercontent.com/x/podinfo.tgz?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&response-content-type=REDACTED"},
		{"https://user:pa55@registry.example.com/v2/", "https://registry.example.com/v2/"},
		{"https://uploads.github.com/repos/acme/charts/releases/1/assets?name=podinfo-1.2.0.tgz&label=", "https://uploads.github.com/repos/acme/charts/releases/1/assets?label=&name=podinfo-1.2.0.tgz"},
		{"https://api.github.com/x?token=t0k#frag", "https://api.github.com/x?token=REDACTED"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactURL(u); got != tt.want {
			t.Errorf("redactURL(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestFromEnv_debugOrTraceTurnsTheTraceOnAndATypoIsAnError(t *testing.T) {
	for value, on := range map[string]bool{"debug": true, "DEBUG": true, "trace": true, "": false, "info": false, "off": false} {
		l, err := FromEnv(func(string) string { return value }, io.Discard)
		if err != nil || (l != nil) != on {
			t.Errorf("RELCTL_LOG=%q: logger %v, err %v; want on=%v", value, l != nil, err, on)
		}
	}
	if _, err := FromEnv(func(string) string { return "debgu" }, io.Discard); err == nil || !strings.Contains(err.Error(), "RELCTL_LOG") {
		t.Errorf("RELCTL_LOG=debgu: err = %v, want an error naming the variable", err)
	}
}

func TestNilLogger_wrapsNothing(t *testing.T) {
	var l *Logger
	base := http.DefaultTransport
	if l.Transport(base) != base || l.Requests(base) != base {
		t.Error("a nil Logger must return the transport it was given")
	}
}
