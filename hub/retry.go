package hub

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how requests that failed with 408, 429, 5xx or a network
// error are retried. Zero fields take the defaults (huggingface_hub's): 5
// retries, waits of 1 s doubling up to 8 s, a server's Retry-After (or
// RateLimit "t=") honoured up to 5 minutes.
type RetryPolicy struct {
	// MaxRetries is how many times a request is retried; negative means
	// never.
	MaxRetries int
	// InitialBackoff is the first wait; each next one doubles, up to
	// MaxBackoff.
	InitialBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest wait a server may ask for; a longer one
	// fails at once with ErrRateLimited.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done. Tests replace it to record waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries == 0 {
		p.MaxRetries = 5
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = time.Second
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 8 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 5 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	return p
}

// backoff is the wait before retry number attempt (0-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.InitialBackoff
	for i := 0; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryableStatus reports the statuses huggingface_hub retries.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads how long the server asks to wait: Retry-After in seconds
// or as an HTTP date, else the "t=" of a RateLimit header
// (`"api";r=0;t=55`). ok is false when neither is present.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	for _, part := range strings.Split(h.Get("RateLimit"), ";") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if found && strings.TrimSpace(k) == "t" {
			if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
				return time.Duration(s) * time.Second, true
			}
		}
	}
	return 0, false
}
