package main

import (
	"context"
	"io"

	"github.com/seed-1c4692e8/hotline/internal/chserver"
)

func clickhouseCommand(ctx context.Context, args []string, stdout io.Writer) error {
	return chserver.Command(ctx, args, stdout)
}
