"""Events in the reader's calendar: an iCalendar file (RFC 5545) per event
and one with every event, written with the `icalendar` package (which folds
long lines and escapes `,`, `;`, `\\` and newlines in text).

- UID: `event-<slug>@<authority>`, the authority as the feeds' ids have it
  (CONNECTIONS_FEED_ID_AUTHORITY, else the site's host): the same event keeps
  its UID from build to build, so a calendar that subscribed updates it.
- All-day dates: DTSTART;VALUE=DATE, and DTEND the day after the last day
  (RFC 5545 3.6.1: an all-day end is exclusive).
- LOCATION: the profile's `Location:` and `Address:`; URL: the event's page
  on this site when its address is absolute, else the event's own website.
- DTSTAMP: the build day (CONNECTIONS_TODAY or today in TIMEZONE) at
  midnight UTC, so two builds of a day write the same bytes.

An event without a `Start:` date has no entry (`make check` warns about it).
CONNECTIONS_EVENT_ICS ("calendar/{slug}.ics") and CONNECTIONS_EVENTS_ICS
("calendar/events.ics") say where; None or "" turns one off.
"""

import datetime
import logging
import os

from icalendar import Calendar, Event as VEvent, vText
from pelican.generators import Generator

from ..linking.record import state
from .feeds import id_authority
from .pages import build_day
from .reach import absolute, site_base

logger = logging.getLogger(__name__)

PRODID = "-//Connection Stories//connections plugin//EN"


def ics_path(settings, event):
    pattern = settings.get("CONNECTIONS_EVENT_ICS")
    if not pattern or not event.start:
        return ""
    return pattern.format(slug=event.slug)


def _calendar(name):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", vText(name))  # RFC 7986
    cal.add("x-wr-calname", vText(name))  # what most calendar apps read
    return cal


def vevent(event, settings, stamp):
    item = VEvent()
    item.add("uid", f"event-{event.slug}@{id_authority(settings)}")
    item.add("dtstamp", stamp)
    item.add("summary", event.name)
    item.add("dtstart", event.start)
    last = event.end or event.start
    item.add("dtend", last + datetime.timedelta(days=1))
    place = ", ".join(p for p in (event.location, event.address) if p)
    if place:
        item.add("location", place)
    page = absolute(site_base(settings), event.url) if event.save_as else ""
    url = page or event.event_url
    if url:
        item.add("url", url)
    if event.event_url and event.event_url != url:
        item.add("description", f"Website: {event.event_url}")
    item.add("transp", "TRANSPARENT")
    return item


class CalendarGenerator(Generator):
    """Writes the .ics files once the events are gathered."""

    def generate_context(self):
        events = self.context.get("events", [])
        for event in events:
            event.ics_url = ics_path(self.settings, event)
        every = self.settings.get("CONNECTIONS_EVENTS_ICS") or ""
        self.context["events_ics_url"] = every if any(e.start for e in events) else ""

    def generate_output(self, writer):
        if state(self.context) is None:
            return
        day = build_day(self.settings)
        stamp = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
        site = str(self.settings.get("SITENAME", ""))
        everything = _calendar(site)
        for event in self.context.get("events", []):
            if not event.start:
                if event.has_profile:
                    logger.info("connections: %s has no Start: date, so no calendar entry",
                                event.profile_path)
                continue
            item = vevent(event, self.settings, stamp)
            everything.add_component(item)
            if event.ics_url:
                one = _calendar(event.name)
                one.add_component(item)
                self._write(event.ics_url, one.to_ical())
        if self.context.get("events_ics_url"):
            self._write(self.context["events_ics_url"], everything.to_ical())

    def _write(self, name, data):
        target = os.path.join(self.output_path, name)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        try:
            with open(target, "rb") as f:
                if f.read() == data:
                    return
        except OSError:
            pass
        with open(target, "wb") as f:
            f.write(data)
