// Package chdb opens hotline's ClickHouse connection and applies its schema migrations, written
// once in SQL that runs on both ClickHouse 18.16 (what CI has) and current releases.
package chdb

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options say which server and database to use.
type Options struct {
	Addr     string // host:port of the native protocol
	Database string
	User     string
	Password string
	Logger   *slog.Logger
	// MaxOpenConns bounds the pool; 0 means 8.
	MaxOpenConns int
}

// Open connects over the native protocol (HTTP fails on 18.16) with LZ4 and a read timeout
// short enough that a protocol stall surfaces as an error, not a five-minute hang.
func Open(ctx context.Context, o Options) (driver.Conn, error) {
	if o.User == "" {
		o.User = "default"
	}
	if o.MaxOpenConns == 0 {
		o.MaxOpenConns = 8
	}
	// LZ4 saves network on a real link; on loopback it only costs CPU on both ends.
	compression := clickhouse.CompressionLZ4
	if isLoopback(o.Addr) {
		compression = clickhouse.CompressionNone
	}
	opts := &clickhouse.Options{
		Addr:         []string{o.Addr},
		Auth:         clickhouse.Auth{Database: o.Database, Username: o.User, Password: o.Password},
		Protocol:     clickhouse.Native,
		Compression:  &clickhouse.Compression{Method: compression},
		DialTimeout:  5 * time.Second,
		ReadTimeout:  60 * time.Second,
		MaxOpenConns: o.MaxOpenConns,
		MaxIdleConns: o.MaxOpenConns,
	}
	if o.Logger != nil {
		opts.Logger = o.Logger
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("opening clickhouse %s: %w", o.Addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("reaching clickhouse %s: %w", o.Addr, err)
	}
	return conn, nil
}

// EnsureDatabase creates the database if it is missing, through a connection to "default"
// (a connection to a missing database fails its handshake).
func EnsureDatabase(ctx context.Context, o Options) error {
	db := o.Database
	o.Database = "default"
	o.MaxOpenConns = 1
	conn, err := Open(ctx, o)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(db)); err != nil {
		return fmt.Errorf("creating database %s: %w", db, err)
	}
	return nil
}

// quoteIdent quotes a ClickHouse identifier with backquotes.
func quoteIdent(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '`')
	for i := 0; i < len(s); i++ {
		if s[i] == '`' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '`'))
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
