package github

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRetry_getRetriedOn502UntilSuccess(t *testing.T) {
	s, srv, c, sl := scripted(t, status(502), status(502), status(200))
	resp, err := send(t, c, "GET", srv.URL, "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v, %v; want 200", resp, err)
	}
	if s.requests() != 3 {
		t.Errorf("server saw %d requests, want 3", s.requests())
	}
	for _, d := range sl.got() {
		if d < time.Second || d > 60*time.Second {
			t.Errorf("backoff %v outside [1s, 60s]", d)
		}
	}
	if len(sl.got()) != 2 {
		t.Errorf("slept %d times, want 2", len(sl.got()))
	}
}

func TestRetry_attemptsAreBounded(t *testing.T) {
	s, srv, c, _ := scripted(t, status(500), status(500), status(500), status(500), status(500))
	resp, err := send(t, c, "GET", srv.URL, "")
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("got %v, %v; want the last 500", resp, err)
	}
	if s.requests() != 5 {
		t.Errorf("server saw %d requests, want 5 (the attempts)", s.requests())
	}
}

func TestRetry_retryAfterSecondsIsHonoured(t *testing.T) {
	_, srv, c, sl := scripted(t, status(429, "Retry-After", "7"), status(200))
	if _, err := send(t, c, "GET", srv.URL, ""); err != nil {
		t.Fatal(err)
	}
	if got := sl.got(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("slept %v, want [7s]", got)
	}
}

func TestRetry_retryAfterHTTPDateIsHonoured(t *testing.T) {
	at := epoch.Add(90 * time.Second).UTC().Format(http.TimeFormat)
	_, srv, c, sl := scripted(t, status(503, "Retry-After", at), status(200))
	if _, err := send(t, c, "GET", srv.URL, ""); err != nil {
		t.Fatal(err)
	}
	if got := sl.got(); len(got) != 1 || got[0] != 90*time.Second {
		t.Errorf("slept %v, want [1m30s]", got)
	}
}

func TestRetry_exhaustedRateLimitWaitsUntilReset(t *testing.T) {
	reset := strconv.FormatInt(epoch.Add(42*time.Second).Unix(), 10)
	_, srv, c, sl := scripted(t,
		status(403, "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", reset),
		status(200))
	resp, err := send(t, c, "GET", srv.URL, "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v, %v; want 200", resp, err)
	}
	if got := sl.got(); len(got) != 1 || got[0] != 42*time.Second {
		t.Errorf("slept %v, want [42s]", got)
	}
}

func TestRetry_waitBeyondLimitIsNotWaited(t *testing.T) {
	s, srv, c, sl := scripted(t, status(429, "Retry-After", "3600"))
	resp, err := send(t, c, "GET", srv.URL, "")
	if err != nil || resp.StatusCode != 429 {
		t.Fatalf("got %v, %v; want the 429 back", resp, err)
	}
	if s.requests() != 1 || len(sl.got()) != 0 {
		t.Errorf("requests %d, sleeps %v; want 1 request and no sleep", s.requests(), sl.got())
	}
}

func TestRetry_secondaryRateLimit403WaitsAMinute(t *testing.T) {
	msg := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",` +
		`"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	_, srv, c, sl := scripted(t, body(403, msg), status(200))
	resp, err := send(t, c, "GET", srv.URL, "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v, %v; want 200", resp, err)
	}
	if got := sl.got(); len(got) != 1 || got[0] < time.Minute {
		t.Errorf("slept %v, want one wait of at least 1m", got)
	}
}

func TestRetry_permission403IsNotRetriedAndKeepsItsBody(t *testing.T) {
	msg := `{"message":"Resource not accessible by integration"}`
	s, srv, c, _ := scripted(t, body(403, msg))
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || string(got) != msg {
		t.Errorf("got %d %q, want 403 with the body intact", resp.StatusCode, got)
	}
	if s.requests() != 1 {
		t.Errorf("server saw %d requests, want 1", s.requests())
	}
}

func TestRetry_postNotRetriedOnAmbiguous5xx(t *testing.T) {
	for _, code := range []int{500, 502, 504} {
		s, srv, c, _ := scripted(t, status(code))
		resp, err := send(t, c, "POST", srv.URL, `{"tag_name":"a"}`)
		if err != nil || resp.StatusCode != code {
			t.Fatalf("%d: got %v, %v", code, resp, err)
		}
		if s.requests() != 1 {
			t.Errorf("POST answered %d was sent %d times, want 1", code, s.requests())
		}
	}
}

func TestRetry_postRetriedOn503And429WithSameBody(t *testing.T) {
	s, srv, c, _ := scripted(t, status(503), status(429, "Retry-After", "1"), status(201))
	resp, err := send(t, c, "POST", srv.URL, `{"tag_name":"a"}`)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("got %v, %v; want 201", resp, err)
	}
	for i, b := range s.bodies {
		if b != `{"tag_name":"a"}` {
			t.Errorf("attempt %d sent body %q", i+1, b)
		}
	}
	if s.requests() != 3 {
		t.Errorf("server saw %d requests, want 3", s.requests())
	}
}

func TestRetry_postNotRetriedAfterConnectionDrop(t *testing.T) {
	s, srv, c, _ := scripted(t, hangUp, status(201))
	if _, err := send(t, c, "POST", srv.URL, `{"tag_name":"a"}`); err == nil {
		t.Fatal("want the network error back")
	}
	if s.requests() != 1 {
		t.Errorf("server saw %d requests, want 1: the POST may have been processed", s.requests())
	}
}

func TestRetry_idempotentRetriedAfterConnectionDrop(t *testing.T) {
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		s, srv, c, _ := scripted(t, hangUp, status(200))
		resp, err := send(t, c, method, srv.URL, "")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: got %v, %v; want 200", method, resp, err)
		}
		if s.requests() != 2 {
			t.Errorf("%s: server saw %d requests, want 2", method, s.requests())
		}
	}
}

func TestRetry_uploadBodyRewoundFromItsOffset(t *testing.T) {
	s, srv, c, _ := scripted(t, status(503), status(201))
	file := strings.NewReader("HEADERpayload")
	if _, err := file.Seek(6, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.URL, io.LimitReader(file, 7))
	req.ContentLength = 7
	req.GetBody = func() (io.ReadCloser, error) {
		_, err := file.Seek(6, io.SeekStart)
		return io.NopCloser(io.LimitReader(file, 7)), err
	}
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("got %v, %v; want 201", resp, err)
	}
	resp.Body.Close()
	if len(s.bodies) != 2 || s.bodies[0] != "payload" || s.bodies[1] != "payload" {
		t.Errorf("bodies sent %q, want \"payload\" twice", s.bodies)
	}
}

func TestRetry_cancelledContextStopsTheWait(t *testing.T) {
	s, srv, _, _ := scripted(t, status(502), status(200))
	rt := &retryTransport{base: srv.Client().Transport, attempts: 5, minWait: time.Hour, maxWait: time.Hour,
		sleep: sleepContext, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	rt.base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := srv.Client().Transport.RoundTrip(r)
		cancel() // the caller gives up while the transport would wait an hour
		return resp, err
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := (&http.Client{Transport: rt}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if s.requests() != 1 {
		t.Errorf("server saw %d requests, want 1", s.requests())
	}
}

func TestRetry_backoffStaysWithinBounds(t *testing.T) {
	rt := &retryTransport{minWait: time.Second, maxWait: 60 * time.Second}
	for attempt := 1; attempt <= 20; attempt++ {
		for range 50 {
			if d := rt.backoff(attempt); d < time.Second || d > 60*time.Second {
				t.Fatalf("attempt %d: backoff %v outside [1s, 60s]", attempt, d)
			}
		}
	}
	if d := rt.backoff(20); d < 30*time.Second {
		t.Errorf("late backoff %v, want at least half of the maximum", d)
	}
}
