export { IsoDate, addDays, isIsoDate, weekdayOf } from './calendar-date.ts';
export {
  ProductionCalendar,
  ProductionCalendarData,
  addWorkingDays,
  isPublicHoliday,
  isWorkingDay,
  productionCalendar,
  workingDaysBetween,
  type WorkingDayCount,
} from './production-calendar.ts';
export {
  DEFAULT_CLINIC_HOURS,
  FIRST_CONTACT_SEARCH_DAYS,
  OpenInterval,
  TimeZone,
  WorkingHours,
  firstContactDue,
  isTimeZone,
  localDateOf,
  wallClock,
  openIntervalsOn,
} from './working-hours.ts';
