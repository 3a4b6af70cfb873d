"""The rules of BanqO, without HTTP: routes call these and turn their errors into problem answers."""
