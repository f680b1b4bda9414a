"""JB WatchDesk (江北政务新媒体值班台): the duty officer's workstation for government new media."""

__version__ = "0.1.0"
APP_ID = "jb-watchdesk"
