package httplog

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// EnvLog is the environment variable that turns the trace on.
const EnvLog = "RELCTL_LOG"

// Logger writes trace lines to one writer. It is safe for concurrent use:
// each line is written whole, so lines of concurrent requests never
// interleave.
type Logger struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time

	attempts attemptsByRequest
}

// New returns a Logger writing to w.
func New(w io.Writer) *Logger {
	return &Logger{w: w, now: time.Now}
}

// FromEnv returns a Logger writing to w when RELCTL_LOG asks for the
// request trace ("debug" or "trace", any case), and nil (no trace) when it
// is unset or names a quieter level ("info", "warn", "error", "off"), as
// TF_LOG's levels do. Any other value is an error, so a typo is not
// mistaken for silence.
func FromEnv(getenv func(string) string, w io.Writer) (*Logger, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(EnvLog))); v {
	case "debug", "trace":
		return New(w), nil
	case "", "off", "info", "warn", "error":
		return nil, nil
	default:
		return nil, fmt.Errorf("%s=%q: want debug or trace (the request trace), or unset", EnvLog, v)
	}
}

// attempt is one round trip, as logged.
type attempt struct {
	method  string
	url     string // already redacted
	status  int    // 0 when err is set
	err     error
	elapsed time.Duration
	number  int // 1 for the first attempt, 2 for the first retry…
}

// log writes one line:
//
//	relctl [DEBUG] http: GET https://ghcr.io/v2/acme/charts/podinfo/manifests/1.2.0 -> 200 (35ms)
//	relctl [DEBUG] http: PUT https://… -> 503 (12ms, retry 2)
func (l *Logger) log(a attempt) {
	if l == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "relctl [DEBUG] http: %s %s -> ", a.method, a.url)
	if a.err != nil {
		fmt.Fprintf(&b, "error: %s", redactError(a.err))
	} else {
		fmt.Fprintf(&b, "%d", a.status)
	}
	d := a.elapsed.Round(time.Millisecond)
	if d == 0 {
		fmt.Fprint(&b, " (0ms") // not "0s": the unit says the precision
	} else {
		fmt.Fprintf(&b, " (%s", d)
	}
	if a.number > 1 {
		fmt.Fprintf(&b, ", retry %d", a.number-1)
	}
	b.WriteString(")\n")

	l.mu.Lock()
	defer l.mu.Unlock()
	// A trace line that cannot be written must not fail the request it
	// describes: stderr gone is not a registry error.
	_, _ = io.WriteString(l.w, b.String())
}
