package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// request is one HTTP exchange the client makes.
type request struct {
	method  string
	url     string
	headers map[string]string
	// relativeRedirectsOnly stops at an absolute redirect (the CDN) and
	// returns the 3xx itself, as huggingface_hub does for metadata.
	relativeRedirectsOnly bool
	// timeout is the longest wait for the headers and then for each read.
	timeout time.Duration
	// retryNetErrors retries connection failures too, not only 408, 429
	// and 5xx answers: for downloads. Metadata and API calls fail at once,
	// as in huggingface_hub, so the cache answers without delay when the
	// Hub is unreachable.
	retryNetErrors bool
}

type redirectKey struct{}

// timeoutError is what a read that made no progress for too long returns.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("hub: no data from the server for %s", e.d)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// netError is a failure to talk to a server at all: connection refused or
// reset, timeout, broken body. It is retried and, for metadata, falls back
// to the cache.
type netError struct {
	method, url string
	err         error
}

func (e *netError) Error() string {
	return fmt.Sprintf("hub: %s %s: %v", e.method, redactURL(e.url), e.err)
}
func (e *netError) Unwrap() error { return e.err }

// send makes one attempt. The token goes only to the endpoint's host and
// port; redirects elsewhere drop it (checkRedirect). The response body, if
// any, is watched: a read that waits longer than r.timeout fails.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	if c.offline {
		return nil, ErrOffline
	}
	wctx, kick, stop := watchdog(ctx, r.timeout)
	req := c.rc.R().SetContext(context.WithValue(wctx, redirectKey{}, r.relativeRedirectsOnly)).SetDoNotParseResponse(true)
	for k, v := range r.headers {
		req.SetHeader(k, v)
	}
	if c.token != "" && c.isEndpointHost(r.url) {
		req.SetHeader("Authorization", "Bearer "+c.token)
	}
	resp, err := req.Execute(r.method, r.url)
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if context.Cause(wctx) != nil && errors.Is(err, context.Canceled) {
			err = &timeoutError{r.timeout}
		}
		return nil, &netError{method: r.method, url: r.url, err: err}
	}
	raw := resp.RawResponse
	kick()
	raw.Body = &watchedBody{rc: raw.Body, ctx: ctx, wctx: wctx, kick: kick, stop: stop, timeout: r.timeout}
	return raw, nil
}

// do sends r, retrying 408/429/5xx answers (and network errors if
// r.retryNetErrors) with backoff, honouring Retry-After. A status >= 400
// becomes an *HTTPError.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.send(ctx, r)
		var wait time.Duration
		switch {
		case err != nil:
			var ne *netError
			if !r.retryNetErrors || !errors.As(err, &ne) || attempt >= c.retry.MaxRetries {
				return nil, err
			}
			wait = c.retry.backoff(attempt)
		case retryableStatus(resp.StatusCode):
			herr := c.httpError(r, resp)
			if attempt >= c.retry.MaxRetries {
				return nil, herr
			}
			wait = c.retry.backoff(attempt)
			if d, ok := retryAfter(resp.Header, time.Now()); ok {
				if d > c.retry.MaxRetryAfter {
					return nil, herr
				}
				wait = d
			}
			err = herr
		case resp.StatusCode >= 400:
			return nil, c.httpError(r, resp)
		default:
			return resp, nil
		}
		c.logger.Debug("hub: retrying", "method", r.method, "url", redactURL(r.url), "wait", wait, "error", err)
		if err := c.retry.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// httpError reads an error answer (and closes its body).
func (c *Client) httpError(r *request, resp *http.Response) *HTTPError {
	defer resp.Body.Close()
	e := &HTTPError{
		StatusCode: resp.StatusCode,
		Method:     r.method,
		URL:        redactURL(r.url),
		Code:       resp.Header.Get("X-Error-Code"),
		Message:    resp.Header.Get("X-Error-Message"),
		RequestID:  resp.Header.Get("X-Request-Id"),
		repoCommit: resp.Header.Get("X-Repo-Commit"),
		header:     resp.Header,
	}
	if e.Message == "" && r.method != http.MethodHead {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var j struct {
			Error any `json:"error"`
		}
		if json.Unmarshal(body, &j) == nil && j.Error != nil {
			e.Message = fmt.Sprint(j.Error)
		}
	}
	e.Message = c.redact(e.Message)
	if d, ok := retryAfter(resp.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	e.kind = classify(resp.StatusCode, e.Code, e.Message, r.url)
	return e
}

// classify maps an error answer to a sentinel as huggingface_hub's
// hf_raise_for_status does.
func classify(status int, code, msg, rawURL string) error {
	switch code {
	case "RepoNotFound":
		return ErrRepoNotFound
	case "RevisionNotFound":
		return ErrRevisionNotFound
	case "EntryNotFound":
		return ErrEntryNotFound
	case "GatedRepo":
		return ErrGatedRepo
	}
	badCredentials := strings.Contains(msg, "Invalid credentials") || strings.Contains(msg, "Invalid username or password")
	switch {
	case status == http.StatusUnauthorized && badCredentials:
		return ErrUnauthorized
	case status == http.StatusUnauthorized && (strings.Contains(rawURL, "/api/") || strings.Contains(rawURL, "/resolve/")):
		// The Hub answers 401 for private and missing repos alike.
		return ErrRepoNotFound
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case strings.Contains(msg, "Access to this resource is disabled"):
		return ErrDisabled
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return nil
}

// redact removes the token from a server-supplied string.
func (c *Client) redact(s string) string {
	if c.token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[token]")
}

// isEndpointHost reports whether raw is on the endpoint's host and port.
func (c *Client) isEndpointHost(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && hostPort(u) == c.endpointHost
}

// checkRedirect drops Authorization when a redirect leaves the original
// host:port (Go keeps it for another port of the same host name, and resty
// for any host), and stops at absolute redirects for metadata requests.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("hub: stopped after 10 redirects")
	}
	if rel, _ := req.Context().Value(redirectKey{}).(bool); rel && req.Response != nil {
		if u, err := url.Parse(req.Response.Header.Get("Location")); err != nil || u.Host != "" || u.Scheme != "" {
			return http.ErrUseLastResponse
		}
	}
	if hostPort(req.URL) != hostPort(via[0].URL) {
		req.Header.Del("Authorization")
	}
	return nil
}

// getJSON GETs an API URL and decodes its JSON body into v. It returns the
// response headers (for Link pagination).
func (c *Client) getJSON(ctx context.Context, rawURL string, v any) (http.Header, error) {
	resp, err := c.do(ctx, &request{method: http.MethodGet, url: rawURL, timeout: c.etagTimeout})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	const limit = 512 << 20
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &netError{method: http.MethodGet, url: rawURL, err: err}
	}
	if len(body) > limit {
		return nil, fmt.Errorf("%w: %s: body larger than %d bytes", ErrBadResponse, redactURL(rawURL), limit)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadResponse, redactURL(rawURL), err)
	}
	return resp.Header, nil
}

// watchdog returns a context cancelled when kick has not been called for d
// (never, when d <= 0), and stop to release it.
func watchdog(ctx context.Context, d time.Duration) (wctx context.Context, kick, stop func()) {
	wctx, cancel := context.WithCancelCause(ctx)
	if d <= 0 {
		return wctx, func() {}, func() { cancel(nil) }
	}
	t := time.AfterFunc(d, func() { cancel(&timeoutError{d}) })
	return wctx, func() { t.Reset(d) }, func() { t.Stop(); cancel(nil) }
}

// watchedBody kicks the watchdog on every read and turns its expiry into a
// timeout error.
type watchedBody struct {
	rc        io.ReadCloser
	ctx, wctx context.Context
	kick      func()
	stop      func()
	timeout   time.Duration
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.kick()
	}
	if err != nil && err != io.EOF && b.ctx.Err() == nil && context.Cause(b.wctx) != nil {
		err = &timeoutError{b.timeout}
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	b.stop()
	return err
}
