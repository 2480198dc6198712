// Code systems, coded values and word lists of the synthetic estate. Systems are the ones NHS
// England's FHIR APIs use, so searches look like those a real GP or PAS system would send.

export const SYSTEMS = {
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsSite: 'https://fhir.nhs.uk/Id/ods-site-code',
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  gmcNumber: 'https://fhir.hl7.org.uk/Id/gmc-number',
  gmpNumber: 'https://fhir.hl7.org.uk/Id/gmp-number',
  /** Clinic (service) type: the NHS Data Dictionary treatment function codes. */
  treatmentFunction: 'https://fhir.nhs.uk/CodeSystem/NHSDataModelAndDictionary-treatment-function',
  snomed: 'http://snomed.info/sct',
  orgType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  serviceCategory: 'http://terminology.hl7.org/CodeSystem/service-category',
  referralId: 'https://fhir.nhs.uk/Id/UBRN',
  pasAppointment: 'https://example.nhs.uk/Id/pas-appointment-id',
} as const;

export interface Specialty {
  /** Treatment function code: the Slot/HealthcareService serviceType the booking search filters on. */
  tfc: string;
  name: string;
  /** SNOMED CT specialty (the c80 practice codes value set that HealthcareService.specialty prefers). */
  snomed: string;
  snomedDisplay: string;
  /** Outpatient slot length in minutes for this specialty's clinics. */
  slotMinutes: 15 | 30;
}

export const SPECIALTIES: readonly Specialty[] = [
  { tfc: '100', name: 'General Surgery', snomed: '394609007', snomedDisplay: 'General surgery', slotMinutes: 15 },
  { tfc: '101', name: 'Urology', snomed: '394612005', snomedDisplay: 'Urology', slotMinutes: 15 },
  { tfc: '110', name: 'Trauma and Orthopaedics', snomed: '394801008', snomedDisplay: 'Trauma and orthopaedics', slotMinutes: 15 },
  { tfc: '120', name: 'Ear Nose and Throat', snomed: '418960008', snomedDisplay: 'Otolaryngology', slotMinutes: 15 },
  { tfc: '130', name: 'Ophthalmology', snomed: '394594003', snomedDisplay: 'Ophthalmology', slotMinutes: 15 },
  { tfc: '301', name: 'Gastroenterology', snomed: '394584008', snomedDisplay: 'Gastroenterology', slotMinutes: 30 },
  { tfc: '302', name: 'Endocrinology', snomed: '394583002', snomedDisplay: 'Endocrinology', slotMinutes: 30 },
  { tfc: '320', name: 'Cardiology', snomed: '394579002', snomedDisplay: 'Cardiology', slotMinutes: 30 },
  { tfc: '330', name: 'Dermatology', snomed: '394582007', snomedDisplay: 'Dermatology', slotMinutes: 15 },
  { tfc: '340', name: 'Respiratory Medicine', snomed: '418112009', snomedDisplay: 'Pulmonary medicine', slotMinutes: 30 },
  { tfc: '400', name: 'Neurology', snomed: '394591006', snomedDisplay: 'Neurology', slotMinutes: 30 },
  { tfc: '410', name: 'Rheumatology', snomed: '394810000', snomedDisplay: 'Rheumatology', slotMinutes: 30 },
  { tfc: '420', name: 'Paediatrics', snomed: '394537008', snomedDisplay: 'Pediatric specialty', slotMinutes: 30 },
  { tfc: '502', name: 'Gynaecology', snomed: '394586005', snomedDisplay: 'Gynecology', slotMinutes: 15 },
  { tfc: '430', name: 'Geriatric Medicine', snomed: '394811001', snomedDisplay: 'Geriatric medicine', slotMinutes: 30 },
  { tfc: '307', name: 'Diabetic Medicine', snomed: '408475000', snomedDisplay: 'Diabetic medicine', slotMinutes: 30 },
];

/** SNOMED CT role codes for PractitionerRole.code. */
export const ROLES = {
  gp: { code: '62247001', display: 'General practitioner' },
  consultant: { code: '158967008', display: 'Consultant physician' },
} as const;

export const TOWNS: readonly { name: string; postcode: string }[] = [
  { name: 'Leeds', postcode: 'LS' }, { name: 'Bradford', postcode: 'BD' }, { name: 'Sheffield', postcode: 'S' },
  { name: 'York', postcode: 'YO' }, { name: 'Manchester', postcode: 'M' }, { name: 'Bolton', postcode: 'BL' },
  { name: 'Liverpool', postcode: 'L' }, { name: 'Newcastle upon Tyne', postcode: 'NE' }, { name: 'Durham', postcode: 'DH' },
  { name: 'Nottingham', postcode: 'NG' }, { name: 'Leicester', postcode: 'LE' }, { name: 'Birmingham', postcode: 'B' },
  { name: 'Coventry', postcode: 'CV' }, { name: 'Bristol', postcode: 'BS' }, { name: 'Exeter', postcode: 'EX' },
  { name: 'Norwich', postcode: 'NR' }, { name: 'Cambridge', postcode: 'CB' }, { name: 'Oxford', postcode: 'OX' },
  { name: 'Reading', postcode: 'RG' }, { name: 'Southampton', postcode: 'SO' }, { name: 'Brighton', postcode: 'BN' },
  { name: 'Canterbury', postcode: 'CT' }, { name: 'Hull', postcode: 'HU' }, { name: 'Lincoln', postcode: 'LN' },
];

export const STREETS: readonly string[] = [
  'High Street', 'Station Road', 'Church Lane', 'Mill Lane', 'Park Road', 'Victoria Road', 'Green Lane',
  'Manor Road', 'Kings Road', 'Queens Road', 'New Road', 'School Lane', 'The Avenue', 'Chapel Street',
  'Grange Road', 'North Street', 'London Road', 'Springfield Road', 'Albert Road', 'Hillside',
];

export const GIVEN_FEMALE: readonly string[] = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Grace', 'Sophia', 'Lily', 'Freya', 'Emily', 'Ella', 'Poppy',
  'Margaret', 'Susan', 'Patricia', 'Janet', 'Christine', 'Linda', 'Aisha', 'Fatima', 'Priya', 'Zara',
  'Siobhan', 'Niamh', 'Hannah', 'Charlotte', 'Ruth', 'Joan', 'Eileen', 'Maria',
];

export const GIVEN_MALE: readonly string[] = [
  'Oliver', 'George', 'Noah', 'Arthur', 'Leo', 'Harry', 'Oscar', 'Jack', 'Charlie', 'Thomas', 'James',
  'William', 'David', 'John', 'Michael', 'Peter', 'Robert', 'Mohammed', 'Ali', 'Arjun', 'Ravi',
  'Daniel', 'Samuel', 'Kwame', 'Tomasz', 'Liam', 'Sean', 'Alan', 'Keith', 'Brian',
];

export const FAMILY: readonly string[] = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke',
  'Patel', 'Khan', 'Ahmed', 'Singh', 'Begum', 'Hussain', 'Kaur', 'Ali', 'Shah', 'Lewis', 'Harris',
  'Martin', "O'Brien", 'Murphy', 'Kelly', 'Nowak', 'Kowalski', 'Okafor', 'Mensah', 'Campbell', 'Hughes',
  'Edwards', 'Turner', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker',
];

/** Referral reasons (SNOMED CT findings) for ServiceRequest.reasonCode, by treatment function. */
export const REASONS: Readonly<Record<string, { code: string; display: string }>> = {
  '100': { code: '396232000', display: 'Inguinal hernia' },
  '101': { code: '266569009', display: 'Benign prostatic hyperplasia' },
  '110': { code: '239873007', display: 'Osteoarthritis of knee' },
  '120': { code: '60862001', display: 'Tinnitus' },
  '130': { code: '193570009', display: 'Cataract' },
  '301': { code: '235595009', display: 'Gastroesophageal reflux disease' },
  '302': { code: '40930008', display: 'Hypothyroidism' },
  '320': { code: '49436004', display: 'Atrial fibrillation' },
  '330': { code: '9014002', display: 'Psoriasis' },
  '340': { code: '195967001', display: 'Asthma' },
  '400': { code: '37796009', display: 'Migraine' },
  '410': { code: '69896004', display: 'Rheumatoid arthritis' },
  '420': { code: '24079001', display: 'Atopic dermatitis' },
  '502': { code: '266599000', display: 'Dysmenorrhea' },
  '430': { code: '56717001', display: 'Falls' },
  '307': { code: '44054006', display: 'Diabetes mellitus type 2' },
};
