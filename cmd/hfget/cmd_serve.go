package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

func init() {
	commands["serve"] = command{summary: "serve a folder of repos or a cache as a Hub mirror", run: runServe}
}

type serveOptions struct {
	dir      string
	addr     string
	cdnAddr  string
	basePath string
	cdnURL   string
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "serve", "usage: hfget serve [DIR] [--addr 127.0.0.1:8080] [--cdn-addr localhost:8081]",
		"\nServes DIR as a Hugging Face Hub: owner/name/... folders (datasets/owner/name/...,",
		"spaces/owner/name/...) or a Hugging Face cache (models--owner--name/), by default",
		"the cache Python and hfget use (HF_HUB_CACHE). Prints the endpoint on stdout;",
		"point HF_ENDPOINT at it.")
	var o serveOptions
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address of the Hub (the endpoint to put in HF_ENDPOINT)")
	fs.StringVar(&o.cdnAddr, "cdn-addr", "localhost:8081", "address of the CDN serving LFS files; its host name must differ from the Hub's")
	fs.StringVar(&o.basePath, "base-path", "", "path to mount the Hub under, e.g. /mirror")
	fs.StringVar(&o.cdnURL, "cdn-url", "", "URL clients reach the CDN at, when it is not http://<cdn-addr> (a mirror shared on a network)")
	pos, err := parseArgs(fs, args, 0, 1)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) == 1 {
		o.dir = pos[0]
	} else {
		c, err := hub.NewClient(hub.WithEnv(e.getenv))
		if err != nil {
			fmt.Fprintf(e.stderr, "hfget serve: %v\n", err)
			return exitFailure
		}
		o.dir = c.CacheDir()
	}
	if err := serve(ctx, e, o); err != nil {
		fmt.Fprintf(e.stderr, "hfget serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// serve runs the mirror until ctx is canceled.
func serve(ctx context.Context, e *env, o serveOptions) error {
	var logMu sync.Mutex
	logRequest := func(r hubtest.Request) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(e.stderr, "%s %s %s %d %dB %s\n", r.Host, r.Method, r.Path, r.Status, r.Bytes, r.Took.Round(time.Millisecond))
	}
	opts := []hubtest.Option{hubtest.WithObserver(logRequest), hubtest.WithRequestLog(false)}
	if o.basePath != "" {
		opts = append(opts, hubtest.WithBasePath(o.basePath))
	}
	s := hubtest.NewUnstartedServer(opts...)
	if err := s.LoadDir(o.dir); err != nil {
		return err
	}
	hubLn, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer hubLn.Close()
	cdnLn, err := net.Listen("tcp", o.cdnAddr)
	if err != nil {
		return err
	}
	defer cdnLn.Close()
	hubURL, cdnURL := listenURL(o.addr, hubLn, "127.0.0.1"), listenURL(o.cdnAddr, cdnLn, "localhost")
	if o.cdnURL != "" {
		cdnURL = o.cdnURL
	}
	if hostOf(hubURL) == hostOf(cdnURL) {
		fmt.Fprintf(e.stderr, "hfget serve: warning: the Hub and the CDN share the host name %s; clients may send tokens to the CDN\n", hostOf(hubURL))
	}
	hub, cdn := s.Handlers(hubURL, cdnURL)
	fmt.Fprintf(e.stderr, "serving %d repos from %s (CDN at %s); point clients at it with HF_ENDPOINT=%s\n", len(s.Repos()), o.dir, s.CDNURL, s.URL)
	fmt.Fprintln(e.stdout, s.URL)

	var fresh newConns
	servers := []*http.Server{
		{Handler: hub, ReadHeaderTimeout: 10 * time.Second, ConnState: fresh.track},
		{Handler: cdn, ReadHeaderTimeout: 10 * time.Second, ConnState: fresh.track},
	}
	errc := make(chan error, 2)
	for i, ln := range []net.Listener{hubLn, cdnLn} {
		go func() { errc <- servers[i].Serve(ln) }()
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// Connections that never sent a request would hold Shutdown for 5 s.
	fresh.closeAll()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		if serr := srv.Shutdown(shutdown); serr != nil {
			srv.Close()
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// newConns tracks the connections that have not sent a request yet.
type newConns struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func (n *newConns) track(c net.Conn, st http.ConnState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conns == nil {
		n.conns = map[net.Conn]bool{}
	}
	if st == http.StateNew {
		n.conns[c] = true
	} else {
		delete(n.conns, c)
	}
}

func (n *newConns) closeAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.conns {
		c.Close()
	}
}

// listenURL is the URL clients use to reach a listener: the host as the
// flag gave it (fallback for an empty or wildcard host) and the port bound.
func listenURL(addr string, ln net.Listener, fallback string) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = fallback
	}
	return "http://" + net.JoinHostPort(host, port)
}

func hostOf(u string) string {
	h, _, _ := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	return h
}
