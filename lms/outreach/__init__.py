"""The commune radio (đài truyền thanh xã): announcements written for a commune and a
period, and the broadcasts officials record, each informing the commune's households."""
