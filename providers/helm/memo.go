package helm

import "sync"

// memo runs a function once per key for the life of a run, however many
// callers ask at once (singleflight) or later (cached result, error
// included): one fetch per index and per archive, however many charts use
// it.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[V]
}

type memoCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (m *memo[V]) do(key string, fn func() (V, error)) (V, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoCall[V]{}
	}
	if c, ok := m.m[key]; ok {
		m.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c := &memoCall[V]{done: make(chan struct{})}
	m.m[key] = c
	m.mu.Unlock()
	c.val, c.err = fn()
	close(c.done)
	return c.val, c.err
}
