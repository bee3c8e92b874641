package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// playgroundDir is the Agents Playground's npm project, relative to the
// repository, where `go run .` runs.
const playgroundDir = "tools/playground"

// A playground window: the Agents Playground as one user of its mock
// tenant (tools/playground/*.yml).
type playgroundWindow struct {
	user string // PLAYGROUND_USER: person or agent
	port int    // preferred; another free one if it is taken
	what string // for the log
}

var playgroundWindows = []playgroundWindow{
	{"person", 56150, "as the person (山田 花子)"},
	{"agent", 56151, "as the helpdesk agent (佐藤 健一): tickets arrive in IT Helpdesk > MFA Tickets"},
}

// playgrounds are the Agents Playgrounds local mode starts in front of the
// bot: one as a person, one as a helpdesk agent, each with its own
// connector.
type playgrounds struct {
	ports []int // by playgroundWindows
	procs []*exec.Cmd
}

// planPlaygrounds picks the windows' ports (the preferred ones unless
// taken: the playground would silently take a random one, and the
// helpdesk's connector must be known before the first ticket). It returns
// nil, and says why, where there is no playground to start.
func planPlaygrounds(log *zap.Logger) *playgrounds {
	if _, err := os.Stat(filepath.Join(playgroundDir, "package.json")); err != nil {
		log.Info("no playground started: run the bot from the repository (go run .) to have one, or set PLAYGROUND=off")
		return nil
	}
	p := &playgrounds{}
	for _, w := range playgroundWindows {
		port, err := freePort(w.port)
		if err != nil {
			log.Warn("no playground started: no free port", zap.Error(err))
			return nil
		}
		p.ports = append(p.ports, port)
	}
	return p
}

// agentConnector is the service URL of the agent's playground, where the
// helpdesk channel lives in local mode.
func (p *playgrounds) agentConnector() string {
	return fmt.Sprintf("http://localhost:%d/_connector", p.ports[1])
}

// freePort returns port if nothing listens there, else a free one.
func freePort(port int) (int, error) {
	for _, addr := range []string{fmt.Sprintf("127.0.0.1:%d", port), "127.0.0.1:0"} {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			p := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			return p, nil
		}
	}
	return 0, errors.New("127.0.0.1 has none")
}

// listening is the playground's line once it serves.
var listening = regexp.MustCompile(`Listening on (\d+)`)

// start installs the playground if it is not yet (npm ci, the first time
// only), then starts both windows pointed at the bot. It does not wait:
// the bot serves meanwhile. Problems are logged, and the bot goes on
// without a playground.
func (p *playgrounds) start(ctx context.Context, botAddr string, log *zap.Logger) {
	if _, err := exec.LookPath("npm"); err != nil {
		log.Warn("no playground started: npm is not installed (install Node.js 20 or later, or set PLAYGROUND=off)")
		return
	}
	if _, err := os.Stat(filepath.Join(playgroundDir, "node_modules", ".bin", "agentsplayground")); err != nil {
		log.Info("installing the Agents Playground (first start only: npm ci in " + playgroundDir + ")")
		install := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		install.Dir = playgroundDir
		if out, err := install.CombinedOutput(); err != nil {
			log.Warn("no playground started: npm ci failed", zap.Error(err), zap.String("npm", lastLines(string(out), 5)))
			return
		}
	}
	for i, w := range playgroundWindows {
		cmd := exec.Command("sh", "./start.sh")
		cmd.Dir = playgroundDir
		cmd.Env = append(os.Environ(), "BOT_ENDPOINT=http://"+botAddr+"/api/messages",
			fmt.Sprintf("PLAYGROUND_PORT=%d", p.ports[i]), "PLAYGROUND_USER="+w.user)
		// Its own process group: sh, node and the server stop together.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, err := cmd.StdoutPipe()
		if err != nil {
			log.Warn("playground not started", zap.String("user", w.user), zap.Error(err))
			continue
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			log.Warn("playground not started", zap.String("user", w.user), zap.Error(err))
			continue
		}
		p.procs = append(p.procs, cmd)
		go func() {
			sc := bufio.NewScanner(out)
			var tail []string
			for sc.Scan() {
				line := sc.Text()
				if m := listening.FindStringSubmatch(line); m != nil {
					log.Info("playground open at http://localhost:"+m[1]+"/ "+w.what, zap.String("user", w.user))
				}
				tail = append(tail, line)
				if len(tail) > 5 {
					tail = tail[1:]
				}
			}
			if err := cmd.Wait(); err != nil && ctx.Err() == nil {
				log.Warn("playground stopped", zap.String("user", w.user), zap.Error(err), zap.Strings("output", tail))
			}
		}()
	}
}

// stop ends the playgrounds with the bot.
func (p *playgrounds) stop() {
	for _, cmd := range p.procs {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, cmd := range p.procs {
		for syscall.Kill(-cmd.Process.Pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
