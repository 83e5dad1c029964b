"""Meetings on paper: the printable agenda and meeting pack （会议材料汇编， PDF） and the minutes and
resolutions as Word documents in the 公文 layout (GB/T 9704)."""
