Feature: Hosts, Guests and the holding screen
  Guide, "Calling the VMR": "Some conferences may not start until the conference Host has
  joined. In this case, you will see a holding screen. If you are the conference Host, you should
  enter the Host PIN."
  DESIGN §2 "PINs, roles and host gating": without Guests everyone who passes the one PIN is a
  Host; with Guests a Host PIN is required and a Guest PIN optional; with no Guest PIN a lone #
  joins as Guest; waiting Guests may type the Host PIN; Host rights come only from a Host PIN,
  the single PIN of a room without Guests, or an automatic participant's chair role.

  Alice's meeting room (demo): Host PIN 1234, Guests allowed, no Guest PIN.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business
    And Carol uses the web app

  Scenario: A Guest who arrives first waits on the holding screen with music
    When Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    Then Bob sees the "Waiting for the host" screen
    And Bob hears hold music

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: The Host's arrival starts the meeting for the waiting Guests
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And Carol dials meet.alice@example.com
    And Carol enters # on the dial pad
    When Alice dials meet.alice@example.com
    And Alice enters 1234# on the dial pad
    Then Bob sees Alice and Carol
    And Carol sees Alice and Bob
    And Alice sees Bob and Carol

  Scenario: A Guest who arrives after the Host goes straight in
    Given Alice dials meet.alice**1234@example.com
    When Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    Then Bob sees Alice
    And Bob is in "Alice's meeting room"

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: A waiting Guest who is the Host types the Host PIN and starts the meeting
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And Carol dials meet.alice@example.com
    And Carol enters # on the dial pad
    When Bob enters 1234# on the dial pad
    Then Bob sees Carol
    And Carol sees Bob

  Scenario: A waiting Guest who types a wrong Host PIN keeps waiting
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Bob enters 9999# on the dial pad
    Then Bob sees the "Waiting for the host" screen
    And Bob is not in "Alice's meeting room"

  Scenario: Wrong Host PINs on the holding screen count toward the same three attempts
    Given Bob dials meet.alice@example.com
    And Bob enters 1111# on the dial pad
    And Bob enters # on the dial pad
    When Bob enters 2222# on the dial pad
    And Bob enters 3333# on the dial pad
    Then Bob hears the invalid PIN message
    When the message has played
    Then Bob is disconnected

  Scenario: With a Guest PIN, a lone # is a wrong attempt
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And Bob dials hosted@example.com
    When Bob enters # on the dial pad
    Then Bob hears the PIN prompt again
    And Bob sees the PIN entry screen
    When Bob enters # on the dial pad
    And Bob enters # on the dial pad
    Then Bob hears the invalid PIN message
    When the message has played
    Then Bob is disconnected

  Scenario: The Guest PIN lets a Guest in to wait for the Host
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    When Bob dials hosted@example.com
    And Bob enters 2222# on the dial pad
    Then Bob sees the "Waiting for the host" screen

  Scenario: The Guest PIN on the holding screen does not make a Host
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And Bob dials hosted@example.com
    And Bob enters 2222# on the dial pad
    When Bob enters 2222# on the dial pad
    Then Bob sees the "Waiting for the host" screen

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: The Host PIN on the dial pad starts the meeting for a waiting Guest
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And Carol dials hosted@example.com
    And Carol enters 2222# on the dial pad
    When Alice dials hosted@example.com
    And Alice enters 1111# on the dial pad
    Then Carol sees Alice
    And Alice is in "Hosted room"

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: The Host PIN in the address starts the meeting for a waiting Guest
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And Carol dials hosted@example.com
    And Carol enters 2222# on the dial pad
    When Alice dials hosted**1111@example.com
    Then Carol sees Alice
    And Alice sees Carol

  Scenario: In a room without Guests, everyone who knows the PIN is a Host
    Given a meeting room "Locked room" at locked@example.com
    And "Locked room" has the PIN 4321
    When Bob dials locked@example.com
    And Bob enters 4321# on the dial pad
    Then Bob sees himself
    And Bob never saw the "Waiting for the host" screen

  Scenario: Arriving first does not make a Guest a Host
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When 10 minutes pass
    Then Bob sees the "Waiting for the host" screen

  Scenario: A Guest whose Host left does not become a Host by calling again
    Given Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And Alice hangs up
    When Bob hangs up
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    Then Bob sees the "Waiting for the host" screen

  Scenario: A Guest cannot get in by trying # again and again
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And Bob dials hosted@example.com
    When Bob enters # on the dial pad
    And Bob enters # on the dial pad
    Then Bob sees the PIN entry screen
    And Bob is not in "Hosted room"
